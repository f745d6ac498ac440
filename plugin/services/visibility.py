"""What a person may see of their own record: one rule, for every surface.

A person reading their own record - Slack `/values me` and App Home, Feishu `/values me`,
`/values evidence` and `/values export`, the CLI with `--as` themselves - gets the *subject*
scope: the recognition they received (conforming evidence, pending or accepted, with the peer's
story) and what they did themselves. They never see what their managers hold about them:
concerns (non-conforming evidence, its note, who recorded it, its behaviour), recognition a
manager declined, who decided, or scores (which include concerns, so `person_summary` refuses
the subject altogether). Concerns are discussed in the review interview, and HR gives their
content on request; a subject's export says only how many there are.

The rule holds for admins too: an admin reading their own record is a subject like anyone else
(nobody reviews themselves). A manager above the person or an admin reading someone else, and
the operator at the command line (`viewer=None`), get the *full* scope.

Adapters never apply this rule; the services do, from who the viewer is.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col

from liumai.rubric.model import Polarity
from liumai.services.errors import PermissionDenied
from liumai.services.people import is_above
from liumai.storage.models import Evidence, Person

T = TypeVar("T")

# Statuses of recognition a subject sees: a declined one is a manager's decision about them.
SUBJECT_STATUSES = ("pending", "accepted")
# Fields of an evidence read model that are manager content: blanked in a subject's view.
HIDDEN_FROM_SUBJECT = ("note", "decided_by", "decided_at")
# Columns of an evidence row a subject's export carries (no decider, no concern link).
SUBJECT_EVIDENCE_COLUMNS = (
    "id",
    "criterion",
    "polarity",
    "status",
    "period",
    "occurred_at",
    "nomination_id",
    "nominator_id",
    "rubric_version",
    "created_at",
)


class Scope(StrEnum):
    SUBJECT = "subject"  # the person themselves
    FULL = "full"  # their managers, an admin, the operator


def scope_for(session: Session, viewer: Person | None, subject: Person) -> Scope:
    """How much of `subject`'s record `viewer` sees; refuses anyone else (a peer, another team's manager)."""
    if viewer is None:
        return Scope.FULL
    if viewer.id == subject.id:
        return Scope.SUBJECT
    if viewer.is_admin or is_above(session, viewer, subject):
        return Scope.FULL
    raise PermissionDenied("permission.view", subject=subject.display_name)


def subject_visible() -> ColumnElement[bool]:
    """SQL condition: the evidence a person may see about themselves (conforming, not declined, no concern)."""
    return and_(
        col(Evidence.polarity) == Polarity.CONFORMING.value,
        Evidence.concern_id.is_(None),  # type: ignore[union-attr]
        Evidence.status.in_(SUBJECT_STATUSES),  # type: ignore[attr-defined]
    )


def redact(view: T) -> T:
    """An evidence read model as its subject sees it: manager content blanked."""
    return dataclasses.replace(view, **dict.fromkeys(HIDDEN_FROM_SUBJECT))  # type: ignore[type-var]
