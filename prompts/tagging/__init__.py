"""Templates of the evidence-tagging prompt: system.md, user.md, reask.md (see plugin/tagging/prompt.py)."""
