"""LLM prompt templates as package data (loaded with importlib.resources, versioned by hash).

Templates live in files rather than code so a prompt change is a reviewable diff of prose, and
so the version recorded on every suggestion is simply the hash of these bytes.
"""
