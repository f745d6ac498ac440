"""score_many and the compiled ScoringPlan: scoring people together is scoring each alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from liumai.rubric import default_rubric
from liumai.rubric.engine import (
    ACCEPTED,
    PENDING,
    EvidenceItem,
    LevelTrace,
    Outcome,
    PersonScore,
    Reason,
    ScoreResult,
    ScoringPlan,
    ValueScore,
    plan_for,
    score,
    score_many,
)
from liumai.rubric.model import EvidenceRule, Policy
from tests.engine_strategies import IDS, R2, R, items_st

# Three more rubrics: a policy that is not progressive, and an older "version" that lacks the
# last value (its evidence is then ignored) - with R2, one version string, three contents.
R3 = R.model_copy(update={"policy": Policy(min_distinct_nominators=3, progressive=False)})
OLD = R.model_copy(update={"values": R.values[:-1], "content_hash": "0" * 64})
RUBRICS = [R, R2, R3, OLD]
rubrics = st.sampled_from(RUBRICS)
people_st = st.dictionaries(st.sampled_from(["ann", "bo", "cy", "di", "ed"]), items_st, max_size=5)


@settings(max_examples=200, deadline=None)
@given(rubrics, people_st)
def test_scoring_people_together_equals_scoring_each_alone(rubric, people):
    together = score_many(rubric, people)
    assert list(together) == list(people)
    assert together == {who: score(rubric, items) for who, items in people.items()}
    assert score_many(ScoringPlan.compile(rubric), people) == together  # a plan or its rubric


@settings(max_examples=150, deadline=None)
@given(rubrics, people_st, st.randoms(use_true_random=False))
def test_score_many_ignores_the_order_of_people_and_of_items(rubric, people, rnd):
    keys = list(people)
    rnd.shuffle(keys)
    shuffled = {}
    for k in keys:
        items = list(people[k])
        rnd.shuffle(items)
        shuffled[k] = items
    assert score_many(rubric, shuffled) == score_many(rubric, people)


@settings(max_examples=100, deadline=None)
@given(people_st, st.lists(st.sampled_from(RUBRICS), min_size=1, max_size=6))
def test_a_cached_plan_scores_like_a_fresh_one_across_rubric_versions(people, sequence):
    """R and R2 share a version string: the cache must never hand one the other's plan."""
    for rubric in sequence:  # interleave versions through the cache
        cached = score_many(plan_for(rubric), people)
        assert cached == score_many(ScoringPlan.compile(rubric), people)
        for result in cached.values():
            assert result.accepted.rubric_version == rubric.version
    assert plan_for(R) is plan_for(R) and plan_for(R) is not plan_for(R2)


def test_evidence_under_a_criterion_the_version_lacks_is_ignored_not_scored():
    gone = R.values[-1].behaviours[0].id
    items = [EvidenceItem(1, gone, "conforming", "a"), EvidenceItem(2, IDS[0], "conforming", "a")]
    res = score_many(OLD, {"ann": items})["ann"]
    assert res.accepted.ignored_ids == (1,)
    assert R.values[-1].key not in res.accepted.values
    assert score_many(R, {"ann": items})["ann"].accepted.ignored_ids == ()


def test_people_without_evidence_share_immutable_scores_but_not_their_dicts():
    res = score_many(R, {"ann": [], "bo": []})
    ann, bo = res["ann"].accepted, res["bo"].accepted
    assert ann == bo == score(R, []).accepted
    assert ann.values is not bo.values  # a caller changing one person's dict leaves others alone
    ann.values.clear()
    assert bo.values == score(R, []).accepted.values
    assert score(default_rubric(), []).with_pending.total == bo.total


# A deliberately naive scorer, straight from the rules in rubric/engine.py's docstring: no plan,
# no buckets, no shared or reused traces. score() and score_many() must agree with it exactly,
# traces included, so every shortcut the compiled plan takes is checked against the rules.
def _naive_level(b, mine, required, mitigated_only):
    conf = tuple(sorted(e.id for e in mine if e.polarity == "conforming"))
    nc = tuple(sorted(e.id for e in mine if e.polarity != "conforming"))
    noms = {e.nominator for e in mine if e.polarity == "conforming"}
    enough = len(noms) >= required
    evidence_ok = enough or b.rule is EvidenceRule.DEFAULT_PASS
    nc_ok = not nc or b.rule is EvidenceRule.EVIDENCE_REQUIRED
    reasons = []
    if b.rule is not EvidenceRule.DEFAULT_PASS:
        short = Reason.TOO_FEW_NOMINATORS if noms else Reason.NO_CONFORMING
        reasons.append(Reason.ENOUGH_CONFORMING if enough else short)
    if b.rule is not EvidenceRule.EVIDENCE_REQUIRED:
        reasons.append(Reason.NON_CONFORMING if nc else Reason.NO_NON_CONFORMING)
    if evidence_ok and nc_ok:
        outcome = Outcome.MET
    elif evidence_ok and b.half_point and mitigated_only:
        outcome = Outcome.HALF
        reasons = [Reason.ONLY_MITIGATED if r is Reason.NON_CONFORMING else r for r in reasons]
    else:
        outcome = Outcome.NOT_MET
    blocking = nc if outcome is not Outcome.MET and b.rule is not EvidenceRule.EVIDENCE_REQUIRED else ()
    needed = 0 if evidence_ok else required - len(noms)
    req = 0 if b.rule is EvidenceRule.DEFAULT_PASS else required
    return LevelTrace(b.id, b.level, b.rule, outcome, tuple(reasons), conf, nc, len(noms), req, needed, blocking)


def _naive_view(rubric, items, statuses):
    evidence = [e for e in items if e.status in statuses]
    values = {}
    for value in rubric.values:
        traces, total, stop = [], 0.0, None
        for b in sorted(value.behaviours, key=lambda b: b.level):
            if rubric.policy.progressive and stop is not None:
                traces.append(LevelTrace(b.id, b.level, b.rule, Outcome.NOT_REACHED, (Reason.PREVIOUS_LEVEL,)))
                continue
            mine = [e for e in evidence if e.criterion == b.id]
            mitigated_only = all(e.mitigated for e in mine if e.polarity != "conforming")
            trace = _naive_level(b, mine, rubric.policy.min_distinct_nominators, mitigated_only)
            traces.append(trace)
            total += trace.points
            if trace.outcome is not Outcome.MET and stop is None:
                stop = b.level
        values[value.key] = ValueScore(value.key, total, tuple(traces), stop)
    known = rubric.criterion_ids
    ignored = tuple(sorted(e.id for e in items if e.status in (ACCEPTED, PENDING) and e.criterion not in known))
    total = sum(v.score for v in values.values())
    return PersonScore(values, total, len(known), rubric.version, ignored)


@settings(max_examples=200, deadline=None)
@given(rubrics, people_st)
def test_score_many_matches_a_naive_scorer_trace_for_trace(rubric, people):
    naive = {
        who: ScoreResult(_naive_view(rubric, items, (ACCEPTED,)), _naive_view(rubric, items, (ACCEPTED, PENDING)))
        for who, items in people.items()
    }
    assert score_many(rubric, people) == naive
