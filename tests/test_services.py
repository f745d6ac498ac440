"""Nominate, confirm, decide, concerns: every rule, every denial, and that denials change nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, func, select

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services import tag_jobs
from liumai.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from liumai.services.scoring import score_person
from liumai.storage.models import AuditLog, Evidence, Nomination, TagJob
from liumai.storage.models import Suggestion as SuggestionRow
from liumai.tagging.base import Suggestion, Suggestions

STORY = "Ann stayed late to walk Bob through the payment reconciliation and wrote it up for the whole team."


def snapshot(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Nomination, SuggestionRow, Evidence, TagJob, AuditLog)
        }


def audit(engine) -> list[AuditLog]:
    with Session(engine) as s:
        return list(s.exec(select(AuditLog).order_by(AuditLog.id)).all())


class FixedTagger:
    name = "fixed"

    def __init__(self, rubric, crit="teamwork.3"):
        self.rubric, self.crit, self.calls = rubric, crit, 0

    def suggest(self, story, context=None):
        self.calls += 1
        return Suggestions(
            items=(
                Suggestion(self.crit, "conforming", 0.8, story[:10]),
                Suggestion("teamwork.1", "conforming", 0.1, ""),
            ),
            tagger="offline",
            rubric_version=self.rubric.version,
        )


class BrokenTagger:
    name = "broken"

    def suggest(self, story, context=None):
        raise TimeoutError("model server did not answer")


# ------------------------------------------------------------------ nominate
def test_nominate_stores_tags_and_audits(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    assert res.created and res.nomination.status == "suggested"
    assert 1 <= len(res.suggestions) <= 3
    assert all(s.rubric_version == org.rubric.version and s.tagger == "offline" for s in res.suggestions)
    assert [s.rank for s in res.suggestions] == list(range(1, len(res.suggestions) + 1))
    actions = [a.action for a in audit(org.engine) if a.entity == "nomination"]
    assert actions[-2:] == ["nomination.create", "nomination.tagged"]
    with Session(org.engine) as s:
        job = s.exec(select(TagJob)).one()
        assert job.status == "done"


@pytest.mark.parametrize(
    ("frm", "to", "story", "error", "key"),
    [
        ("ann@example.com", "ann@example.com", STORY, InvalidInput, "nominate.self"),
        ("bob@example.com", "ghost@example.com", STORY, NotFound, "person.unknown"),
        ("ghost@example.com", "ann@example.com", STORY, NotFound, "person.unknown"),
        ("bob@example.com", "ann@example.com", "   \n ", InvalidInput, "nominate.story_empty"),
        ("bob@example.com", "ann@example.com", "x" * 3001, InvalidInput, "nominate.story_too_long"),
    ],
)
def test_nominate_refusals_store_nothing(org, frm, to, story, error, key):
    before = snapshot(org.engine)
    with pytest.raises(error) as exc:
        nom.nominate(org, frm, to, story)
    assert exc.value.key == key
    assert exc.value.message("zh") != exc.value.message("en")  # both languages exist
    assert snapshot(org.engine) == before


def test_story_of_exactly_3000_characters_is_accepted(org):
    assert nom.nominate(org, "bob@example.com", "ann@example.com", "好" * 3000).created


def test_inactive_nominee_is_refused(org):
    from liumai.services.org import import_org
    from tests.conftest import ORG_CSV

    import_org(org, "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("cat@")))
    before = snapshot(org.engine)
    with pytest.raises(NotFound) as exc:
        nom.nominate(org, "bob@example.com", "cat@example.com", STORY)
    assert exc.value.key == "person.inactive"
    assert snapshot(org.engine) == before


def test_same_idempotency_key_returns_the_first_nomination(org):
    a = nom.nominate(org, "bob@example.com", "ann@example.com", STORY, idempotency_key="slack:T1:trig-1")
    b = nom.nominate(org, "bob@example.com", "ann@example.com", STORY + " again", idempotency_key="slack:T1:trig-1")
    assert a.created and not b.created
    assert b.nomination.id == a.nomination.id and b.nomination.story == STORY
    assert [s.criterion for s in b.suggestions] == [s.criterion for s in a.suggestions]
    assert snapshot(org.engine)["Nomination"] == 1


def test_platform_identities_resolve(org):
    res = nom.nominate(org, "slack:U0BOB", "feishu:ou_ann", STORY)
    assert res.created


def test_failed_tagging_keeps_the_nomination_and_a_queued_job(org):
    org.tagger = BrokenTagger()
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    assert res.created and res.suggestions == [] and res.nomination.status == "pending_tag"
    with Session(org.engine) as s:
        job = s.exec(select(TagJob)).one()
        assert job.status == "queued" and job.attempts == 1 and "did not answer" in job.last_error
        assert job.next_attempt_at > res.nomination.created_at.replace(year=2000)
    # Once the tagger works again the same nomination is tagged, exactly once.
    fixed = FixedTagger(org.rubric)
    rows = tag_jobs.tag_nomination(org, res.nomination.id, tagger=fixed)
    assert [r.criterion for r in rows] == ["teamwork.3", "teamwork.1"]
    assert tag_jobs.tag_nomination(org, res.nomination.id, tagger=fixed) == rows
    assert fixed.calls == 1


def test_unknown_value_hint_is_dropped_not_fatal(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY, value_hint="synergy")
    assert res.nomination.value_hint is None


# ------------------------------------------------------------------ confirm
def test_confirm_creates_pending_evidence_once(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    e1 = nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.3")
    e2 = nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.3")  # double click
    assert e1.id == e2.id and e1.status == "pending" and e1.period == "2026Q4"
    assert e1.rubric_version == org.rubric.version
    with pytest.raises(Conflict):
        nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.4")
    assert snapshot(org.engine)["Evidence"] == 1


def test_confirm_choose_another_behaviour(org):
    org.tagger = FixedTagger(org.rubric)
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    e = nom.confirm(org, res.nomination.id, "bob@example.com", "passion.3")  # not among suggestions
    assert e.criterion == "passion.3"


@pytest.mark.parametrize(
    ("by", "crit", "pol", "error"),
    [
        ("ann@example.com", "teamwork.3", "conforming", PermissionDenied),  # not the nominator
        ("bob@example.com", "teamwork.9", "conforming", InvalidInput),
        ("bob@example.com", "teamwork.3", "non_conforming", InvalidInput),  # peers cannot file concerns
    ],
)
def test_confirm_refusals_change_nothing(org, by, crit, pol, error):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    before = snapshot(org.engine)
    with pytest.raises(error):
        nom.confirm(org, res.nomination.id, by, crit, polarity=pol)
    assert snapshot(org.engine) == before


def test_cancelled_nomination_cannot_be_confirmed(org):
    res = nom.nominate(org, "bob@example.com", "ann@example.com", STORY)
    nom.cancel(org, res.nomination.id, "bob@example.com")
    with pytest.raises(Conflict):
        nom.confirm(org, res.nomination.id, "bob@example.com", "teamwork.3")


# ------------------------------------------------------------------ decisions
def _pending(org, crit="teamwork.3", frm="bob@example.com", to="ann@example.com"):
    res = nom.nominate(org, frm, to, STORY)
    return nom.confirm(org, res.nomination.id, frm, crit)


def test_direct_and_indirect_managers_and_admin_decide(org):
    e1, e2, e3 = _pending(org), _pending(org, "teamwork.4"), _pending(org, "teamwork.5")
    assert ev.decide(org, e1.id, "mgr@example.com", "accepted").status == "accepted"  # direct
    assert ev.decide(org, e2.id, "boss@example.com", "rejected").status == "rejected"  # indirect
    assert ev.decide(org, e3.id, "hr@example.com", "accepted").decided_by == "hr@example.com"  # admin
    assert ev.decide(org, e2.id, "mgr@example.com", "accepted").status == "accepted"  # change of mind
    rows = [a for a in audit(org.engine) if a.entity == "evidence" and a.action.startswith("evidence.")]
    decisions = [(a.actor, a.action, json.loads(a.detail)["new"]) for a in rows if "new" in json.loads(a.detail)]
    assert decisions == [
        ("mgr@example.com", "evidence.accept", "accepted"),
        ("boss@example.com", "evidence.reject", "rejected"),
        ("hr@example.com", "evidence.accept", "accepted"),
        ("mgr@example.com", "evidence.accept", "accepted"),
    ]


@pytest.mark.parametrize(
    "by",
    ["bob@example.com", "ann@example.com", "mgr2@example.com", "cat@example.com"],
    ids=["peer", "self", "other-team-manager", "other-team-member"],
)
def test_decision_denials_change_nothing(org, by):
    e = _pending(org)
    before = snapshot(org.engine)
    with pytest.raises(PermissionDenied):
        ev.decide(org, e.id, by, "accepted")
    with pytest.raises(PermissionDenied):
        ev.retag(org, e.id, by, "teamwork.4")
    assert snapshot(org.engine) == before
    assert ev.list_evidence(org, None, person="ann@example.com")[0].status == "pending"


def test_manager_cannot_decide_own_evidence_even_as_admin(org):
    e = _pending(org, frm="ann@example.com", to="hr@example.com")
    with pytest.raises(PermissionDenied):
        ev.decide(org, e.id, "hr@example.com", "accepted")


def test_retag_changes_criterion_accepts_and_audits(org):
    e = _pending(org, "teamwork.3")
    v = ev.retag(org, e.id, "mgr@example.com", "customer_first.2")
    assert (v.criterion, v.status) == ("customer_first.2", "accepted")
    last = audit(org.engine)[-1]
    detail = json.loads(last.detail)
    assert last.action == "evidence.retag" and detail["old_criterion"] == "teamwork.3"
    with pytest.raises(InvalidInput):
        ev.retag(org, e.id, "mgr@example.com", "nope.1")


def test_unknown_evidence_and_bad_status(org):
    with pytest.raises(NotFound):
        ev.decide(org, 424242, "mgr@example.com", "accepted")
    with pytest.raises(InvalidInput):
        ev.decide(org, 1, "mgr@example.com", "approved")


# ------------------------------------------------------------------ concerns
def test_concern_is_accepted_at_once_and_scores(org):
    base = score_person(org, "ann@example.com").result.accepted.values["customer_first"].score
    v = ev.add_concern(
        org, "mgr@example.com", "ann@example.com", "customer_first.1", "Missed a promised call-back", mitigated=True
    )
    assert v.status == "accepted" and v.polarity == "non_conforming" and v.mitigated
    after = score_person(org, "ann@example.com").result.accepted.values["customer_first"]
    assert base == 1 and after.score == 0.5
    ev.add_concern(org, "boss@example.com", "ann@example.com", "customer_first.1", "Shouted at a vendor")
    assert score_person(org, "ann@example.com").result.accepted.values["customer_first"].score == 0
    assert [a.action for a in audit(org.engine)].count("concern.create") == 2


@pytest.mark.parametrize(
    ("by", "person", "crit", "note", "error"),
    [
        ("bob@example.com", "ann@example.com", "teamwork.1", "x", PermissionDenied),  # peer
        ("mgr2@example.com", "ann@example.com", "teamwork.1", "x", PermissionDenied),  # other manager
        ("mgr@example.com", "mgr@example.com", "teamwork.1", "x", PermissionDenied),  # self
        ("mgr@example.com", "ann@example.com", "teamwork.0", "x", InvalidInput),
        ("mgr@example.com", "ann@example.com", "teamwork.1", "  ", InvalidInput),
    ],
)
def test_concern_refusals_change_nothing(org, by, person, crit, note, error):
    before = snapshot(org.engine)
    with pytest.raises(error):
        ev.add_concern(org, by, person, crit, note)
    assert snapshot(org.engine) == before


# ------------------------------------------------------------------ visibility
def test_people_see_own_recognition_but_never_concerns(org):
    _pending(org)
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.1", "Skipped the retro")
    own = ev.list_evidence(org, "ann@example.com")
    assert [v.polarity for v in own] == ["conforming"]
    mgr = ev.list_evidence(org, "mgr@example.com", person="ann@example.com")
    assert sorted(v.polarity for v in mgr) == ["conforming", "non_conforming"]
    with pytest.raises(PermissionDenied):
        ev.list_evidence(org, "bob@example.com", person="ann@example.com")  # a peer
    with pytest.raises(PermissionDenied):
        ev.list_evidence(org, "mgr2@example.com", person="ann@example.com")
    assert len(ev.list_evidence(org, "hr@example.com")) == 2  # admin sees all
    assert {v.subject_email for v in ev.list_evidence(org, "boss@example.com")} == {"ann@example.com"}


def test_scores_are_for_managers_and_admins(org):
    assert score_person(org, "ann@example.com", viewer="boss@example.com").quarter == "2026Q4"
    assert score_person(org, "ann@example.com", viewer="hr@example.com")
    for viewer in ("ann@example.com", "bob@example.com", "mgr2@example.com"):
        with pytest.raises(PermissionDenied):
            score_person(org, "ann@example.com", viewer=viewer)


def test_score_counts_only_accepted_and_shows_pending(org):
    e3 = _pending(org, "teamwork.3")
    _pending(org, "teamwork.4", frm="wang@example.com")
    res = score_person(org, "ann@example.com").result
    assert res.accepted.values["teamwork"].score == 2 and res.with_pending.values["teamwork"].score == 4
    ev.decide(org, e3.id, "mgr@example.com", "accepted")
    res = score_person(org, "ann@example.com", "2026Q4").result
    assert res.accepted.values["teamwork"].score == 3
    assert score_person(org, "ann@example.com", "2026Q3").result.accepted.values["teamwork"].score == 2
    with pytest.raises(InvalidInput):
        score_person(org, "ann@example.com", "Q4-2026")


def test_every_state_change_has_an_audit_row(org):
    before = len(audit(org.engine))
    e = _pending(org)
    ev.decide(org, e.id, "mgr@example.com", "accepted")
    ev.retag(org, e.id, "mgr@example.com", "teamwork.4")
    ev.add_concern(org, "mgr@example.com", "ann@example.com", "teamwork.2", "x")
    rows = audit(org.engine)[before:]
    assert [r.action for r in rows] == [
        "nomination.create",
        "nomination.tagged",
        "evidence.create",
        "evidence.accept",
        "evidence.retag",
        "concern.create",
    ]
    assert all(r.at is not None and r.actor and r.entity_id for r in rows)
