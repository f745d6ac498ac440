"""Human-readable outputs: explanations of scores, summaries and digests, in zh and en."""
