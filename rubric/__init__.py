"""The values rubric: its model, loader/validator and the deterministic rules engine.

This package imports nothing else of the project, so it can be reasoned about (and reused)
on its own.
"""

from liumai.rubric.loader import RubricError, default_rubric, load_rubric, validate_file
from liumai.rubric.model import Behaviour, EvidenceRule, Polarity, Policy, Rubric, Value

__all__ = [
    "Behaviour",
    "EvidenceRule",
    "Polarity",
    "Policy",
    "Rubric",
    "RubricError",
    "Value",
    "default_rubric",
    "load_rubric",
    "validate_file",
]
