"""Evidence tagging: which rubric behaviour(s) a story is evidence of. Taggers never score."""

from liumai.tagging.base import Suggestion, Suggestions, TagContext, Tagger

__all__ = ["Suggestion", "Suggestions", "TagContext", "Tagger"]
