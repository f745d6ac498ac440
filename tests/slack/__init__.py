"""Slack adapter tests: real HTTP on loopback against a fake Slack Web API."""
