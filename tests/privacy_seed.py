"""The privacy tests' world, shared by tests/test_privacy.py and the Slack and Feishu privacy tests:
Ann and HR with recognition and with concerns about them, and the checks that none of those
concerns reached them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.context import AppContext
from liumai.storage.db import session_scope
from liumai.storage.models import Suggestion

STORY_ACCEPTED = "Ann walked the whole team through the new incident process and answered every question."
STORY_REJECTED = "Ann reviewed everyone's pull requests on Friday so the release could go out on time."
STORY_ABOUT_HR = "HR rewrote the onboarding guide with the new hires and shared it with every team."
NOTE_BOSS = "PRIVATE-NOTE-boss: left the incident bridge without handing over to anyone"
NOTE_MGR = "PRIVATE-NOTE-mgr: missed the customer call twice this month"
NOTE_HR = "PRIVATE-NOTE-hr: shared a candidate's salary in a public channel"


@dataclass
class Seeded:
    accepted: int  # evidence: Ann's accepted recognition (decided by mgr)
    rejected: int  # evidence: Ann's recognition mgr declined
    hr_accepted: int  # evidence: HR's accepted recognition (decided by boss)
    concern_criteria: tuple[str, str]  # the two behaviours Ann's concerns are about
    concern_evidence: tuple[int, int]
    hr_concern_criterion: str
    hr_concern_evidence: int


def seed(ctx: AppContext) -> Seeded:
    """Ann: recognition accepted and declined, two concerns (boss's, and mgr's mitigated).
    HR (an admin): recognition accepted by boss, and a concern boss recorded about them."""
    a = nom.nominate(ctx, "bob@example.com", "ann@example.com", STORY_ACCEPTED)
    accepted = nom.confirm(ctx, a.nomination.id, "bob@example.com", "teamwork.3").id
    ev.decide(ctx, accepted, "mgr@example.com", "accepted")
    r = nom.nominate(ctx, "wang@example.com", "ann@example.com", STORY_REJECTED)
    rejected = nom.confirm(ctx, r.nomination.id, "wang@example.com", "teamwork.4").id
    ev.decide(ctx, rejected, "mgr@example.com", "rejected")
    h = nom.nominate(ctx, "ann@example.com", "hr@example.com", STORY_ABOUT_HR)
    hr_accepted = nom.confirm(ctx, h.nomination.id, "ann@example.com", "teamwork.3").id
    ev.decide(ctx, hr_accepted, "boss@example.com", "accepted")
    # Concern behaviours that appear nowhere else in Ann's or HR's records (not even as a tagger's
    # suggestion), so finding one in what they see can only mean the concern leaked.
    with session_scope(ctx.engine) as s:
        used = set(s.exec(select(Suggestion.criterion)).all()) | {"teamwork.3", "teamwork.4"}
    free = [b.id for b in ctx.rubric.behaviours() if b.id not in used]
    c1 = ev.add_concern(ctx, "boss@example.com", "ann@example.com", free[0], NOTE_BOSS)
    c2 = ev.add_concern(ctx, "mgr@example.com", "ann@example.com", free[1], NOTE_MGR, mitigated=True)
    c3 = ev.add_concern(ctx, "boss@example.com", "hr@example.com", free[2], NOTE_HR)
    return Seeded(accepted, rejected, hr_accepted, (free[0], free[1]), (c1.id, c2.id), free[2], c3.id)


def assert_no_concern_of_ann(text: str, s: Seeded) -> None:
    for secret in (NOTE_BOSS, NOTE_MGR, *s.concern_criteria, "boss@example.com", "non_conforming"):
        assert secret not in text, f"{secret!r} reached Ann"


def assert_no_concern_of_hr(text: str, s: Seeded) -> None:
    for secret in (NOTE_HR, s.hr_concern_criterion, "boss@example.com", "non_conforming"):
        assert secret not in text, f"{secret!r} reached HR"
