"""The append-only audit log: one row per state change, written in the same transaction."""

from __future__ import annotations

import json

from sqlmodel import Session

from liumai.storage.models import AuditLog, Person, utcnow


def actor_label(actor: Person | str | None) -> tuple[int | None, str]:
    if isinstance(actor, Person):
        return actor.id, actor.email
    return None, actor or "system"


def record(
    session: Session,
    actor: Person | str | None,
    action: str,
    entity: str,
    entity_id: object,
    **detail: object,
) -> None:
    actor_id, label = actor_label(actor)
    session.add(
        AuditLog(
            at=utcnow(),
            actor_id=actor_id,
            actor=label,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        )
    )
