"""Hypothesis strategies over evidence for the engine's property tests (one person's items, two
rubrics that differ in min_distinct_nominators)."""

from __future__ import annotations

from hypothesis import strategies as st

from liumai.rubric import default_rubric
from liumai.rubric.engine import EvidenceItem
from liumai.rubric.model import Policy

R = default_rubric()
IDS = sorted(R.criterion_ids)
R2 = R.model_copy(update={"policy": Policy(min_distinct_nominators=2)})

item_fields = st.tuples(
    st.sampled_from(IDS),
    st.sampled_from(["conforming", "non_conforming"]),
    st.sampled_from(["a", "b", "c", "m"]),
    st.sampled_from(["accepted", "pending", "rejected"]),
    st.booleans(),
)
items_st = st.lists(item_fields, max_size=40).map(
    lambda rows: [EvidenceItem(i, c, p, n, s, m) for i, (c, p, n, s, m) in enumerate(rows)]
)
rubrics = st.sampled_from([R, R2])
