"""Tagger health on hand-built suggestion and evidence rows: kept, other suggestion, outside, re-tagged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import Session

from liumai.services.evidence import retag
from liumai.services.tagger_health import KEPT, OTHER, OUTSIDE, classify, first_picks, tagger_health
from liumai.storage.models import AuditLog
from tests.calibration_seed import Seed

SINCE = datetime(2026, 10, 1, tzinfo=UTC)


def test_classify_against_the_ranks():
    sugg = {1: "teamwork.3", 2: "teamwork.2", 3: "passion.1"}
    assert classify("teamwork.3", sugg) == KEPT
    assert classify("passion.1", sugg) == OTHER
    assert classify("integrity.4", sugg) == OUTSIDE
    assert classify("teamwork.3", {}) == OUTSIDE


def test_first_picks_keep_the_nominators_choice_and_skip_bad_rows():
    rows = [
        ("7", json.dumps({"old_criterion": "teamwork.3", "new_criterion": "teamwork.4"})),
        ("7", json.dumps({"old_criterion": "teamwork.4", "new_criterion": "teamwork.5"})),
        ("x", json.dumps({"old_criterion": "a.1"})),
        ("8", "not json"),
        ("9", json.dumps(["no", "dict"])),
    ]
    assert first_picks(rows) == {7: "teamwork.3"}


def _seed(ctx) -> dict[str, int]:
    with Session(ctx.engine) as s:
        sd = Seed(s)
        ids = {
            "kept": sd.nomination("bob", "ann", "teamwork.3", suggestions=("teamwork.3", "teamwork.2")),
            "other": sd.nomination("wang", "ann", "teamwork.3", suggestions=("teamwork.2", "teamwork.3")),
            "outside": sd.nomination("ann", "bob", "passion.3", suggestions=("passion.1", "passion.2")),
            "none": sd.nomination("cat", "bob", "integrity.3", status="pending"),
            "llm": sd.nomination(
                "ann", "wang", "integrity.3", suggestions=("integrity.3", "integrity.2"), tagger="llm"
            ),
            "fallback": sd.nomination(
                "bob", "wang", "passion.4", status="pending", suggestions=("passion.1",), tagger="llm_fallback"
            ),
            "q3": sd.nomination("bob", "ann", "teamwork.2", suggestions=("teamwork.1",), period="2026Q3"),
            "cat": sd.nomination("ann", "cat", "teamwork.3", suggestions=("teamwork.3",), decided_by="mgr2"),
        }
        s.commit()
    return ids


def test_counts_per_tagger_and_behaviour_with_manager_retags(org):
    ids = _seed(org)
    retag(org, ids["llm"], "mgr@example.com", "integrity.4")  # kept first, then re-tagged
    retag(org, ids["llm"], "mgr@example.com", "integrity.5")  # a second re-tag: still the nominator's first pick
    retag(org, ids["fallback"], "mgr@example.com", "passion.1")  # picked outside; the manager chose the suggestion
    with Session(org.engine) as s:
        h = tagger_health(s, "2026Q4", SINCE)
    offline = h.by_tagger["offline"]
    assert (offline.kept_first, offline.other_suggestion, offline.outside, offline.retagged) == (2, 1, 1, 0)
    assert h.by_tagger["none"].outside == 1 and h.by_tagger["none"].total == 1
    llm = h.by_tagger["llm"]
    assert (llm.kept_first, llm.other_suggestion, llm.outside, llm.retagged) == (1, 0, 0, 1)
    fb = h.by_tagger["llm_fallback"]
    assert (fb.kept_first, fb.outside, fb.retagged) == (0, 1, 1)
    assert h.by_behaviour[("offline", "teamwork.3")].kept_first == 2
    assert h.by_behaviour[("offline", "teamwork.2")].other_suggestion == 1
    assert h.by_behaviour[("offline", "passion.1")].outside == 1
    assert h.by_behaviour[("llm", "integrity.3")].retagged == 1
    assert "teamwork.1" not in {c for _, c in h.by_behaviour}  # the Q3 nomination is another quarter
    d = h.to_dict()
    assert d["by_tagger"]["offline"]["kept_first_rate"] == 0.5 and d["by_tagger"]["llm"]["retag_rate"] == 1.0


def test_counts_only_the_subjects_in_scope(org):
    ids = _seed(org)
    with Session(org.engine) as s:
        cat = Seed(s).ids["cat"]
        h = tagger_health(s, "2026Q4", SINCE, frozenset({cat}))
    assert {k: v.total for k, v in h.by_tagger.items()} == {"offline": 1}
    assert ids["cat"] > 0


def test_a_retag_audit_row_before_the_quarter_is_ignored(org):
    ids = _seed(org)
    with Session(org.engine) as s:
        s.add(
            AuditLog(
                at=datetime(2026, 9, 1, tzinfo=UTC),
                actor="x",
                action="evidence.retag",
                entity="evidence",
                entity_id=str(ids["kept"]),
                detail=json.dumps({"old_criterion": "passion.5"}),
            )
        )
        s.commit()
        h = tagger_health(s, "2026Q4", SINCE)
    assert h.by_tagger["offline"].kept_first == 2 and h.by_tagger["offline"].retagged == 0


def test_a_behaviour_stored_twice_among_the_suggestions_counts_once(org):
    with Session(org.engine) as s:
        Seed(s).nomination("bob", "ann", "teamwork.3", suggestions=("teamwork.2", "teamwork.3", "teamwork.3"))
        s.commit()
        h = tagger_health(s, "2026Q4", SINCE)
    assert h.by_tagger["offline"].other_suggestion == 1 and h.by_tagger["offline"].total == 1
