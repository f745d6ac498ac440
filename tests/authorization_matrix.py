"""The authorization matrix and its helpers, shared by the services' test (tests/test_authorization.py)
and the Slack and Feishu ones: `MATRIX[action]` lists the roles allowed; every other role must be
refused with a clear message and no change to the database. The `world` fixture they all start
from is in tests/conftest.py.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from liumai.services import digest as dg
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.data_rights import erase_person, export_person
from liumai.services.summaries import person_summary, team_summary
from liumai.storage.models import AuditLog, Concern, DigestRun, Evidence, Nomination, Person
from tests.fakes.digest_poster import FakePoster

ROLES = {
    "self": "ann@example.com",
    "peer": "bob@example.com",
    "manager_of": "mgr@example.com",
    "manager_not_of": "mgr2@example.com",
    "admin": "hr@example.com",
    "unknown": "ghost@example.com",
    "deactivated": "dee@example.com",
}
ALL = set(ROLES)
MATRIX: dict[str, set[str]] = {
    "nominate": {"peer", "manager_of", "manager_not_of", "admin"},
    "confirm": {"peer"},  # the nomination was written by the peer: only its nominator confirms
    "see_evidence": {"self", "manager_of", "admin"},
    "decide_evidence": {"manager_of", "admin"},
    "add_concern": {"manager_of", "admin"},
    "see_summary": {"manager_of", "admin"},
    "see_team_summary": {"manager_of", "admin"},
    "post_digest": {"manager_of", "admin"},
    "export": {"self", "admin"},
    "erase": {"admin"},
}
STORY = "Ann walked the whole team through the new incident process and answered every question."


def act(ctx, action: str, actor: str, evidence_id: int, nomination_id: int):
    if action == "nominate":
        return nom.nominate(ctx, actor, "ann@example.com", STORY)
    if action == "confirm":
        return nom.confirm(ctx, nomination_id, actor, "teamwork.4")
    if action == "see_evidence":
        return ev.list_evidence(ctx, actor, person="ann@example.com")
    if action == "decide_evidence":
        return ev.decide(ctx, evidence_id, actor, "accepted")
    if action == "add_concern":
        return ev.add_concern(ctx, actor, "ann@example.com", "teamwork.1", "Skipped the retro")
    if action == "see_summary":
        return person_summary(ctx, "ann@example.com", viewer=actor)
    if action == "see_team_summary":
        return team_summary(ctx, team="alpha", viewer=actor)
    if action == "post_digest":
        return dg.post_digest(ctx, "alpha", "2026-W47", [FakePoster()], viewer=actor)
    if action == "export":
        return export_person(ctx, "ann@example.com", viewer=actor)
    if action == "erase":
        return erase_person(ctx, "ann@example.com", viewer=actor)
    raise AssertionError(action)


def snapshot(engine) -> dict[str, int]:
    with Session(engine) as s:
        counts = {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Nomination, Evidence, Concern, DigestRun, AuditLog)
        }
        counts["decided"] = s.exec(select(func.count()).select_from(Evidence).where(Evidence.status != "pending")).one()
        counts["ann"] = s.exec(select(Person.email).where(Person.email == "ann@example.com")).first() is not None
        return counts
