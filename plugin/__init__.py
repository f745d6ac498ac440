"""Liumai: values recognition for Slack and Feishu on the six values rubric."""

__version__ = "0.1.0"
