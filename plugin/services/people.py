"""Looking people up by any of their identities, and the org-chart permission rules."""

from __future__ import annotations

from sqlmodel import Session, select

from plugin.services.errors import NotFound, PermissionDenied
from plugin.services.text import clean_text
from storage.models import Person


def find_person(session: Session, ref: str | int) -> Person | None:
    """`ref`: a person id, an e-mail, `slack:U123` or `feishu:ou_123`."""
    if isinstance(ref, int):
        return session.get(Person, ref)
    ref = clean_text(ref).strip()  # platform text may carry NULs, which PostgreSQL refuses
    if not ref:
        return None
    if ref.startswith("slack:"):
        stmt = select(Person).where(Person.slack_user_id == ref[6:])
    elif ref.startswith("feishu:"):
        stmt = select(Person).where(Person.feishu_open_id == ref[7:])
    else:
        stmt = select(Person).where(Person.email == ref.lower())
    return session.exec(stmt).first()


def get_person(session: Session, ref: str | int, *, active: bool = True) -> Person:
    person = find_person(session, ref)
    if person is None:
        raise NotFound("person.unknown", who=ref)
    if active and not person.active:
        raise NotFound("person.inactive", who=person.display_name)
    return person


def manager_chain(session: Session, person: Person) -> list[int]:
    """Ids of everyone above `person`, nearest first (cycle-safe)."""
    chain: list[int] = []
    seen = {person.id}
    current = person
    while current.manager_id is not None and current.manager_id not in seen:
        chain.append(current.manager_id)
        seen.add(current.manager_id)
        nxt = session.get(Person, current.manager_id)
        if nxt is None:
            break
        current = nxt
    return chain


def is_above(session: Session, manager: Person, person: Person) -> bool:
    return manager.id in manager_chain(session, person)


def can_manage(session: Session, actor: Person, subject: Person) -> bool:
    """Managers (direct or indirect) and admins decide evidence; nobody decides their own."""
    if actor.id == subject.id:
        return False
    return actor.is_admin or is_above(session, actor, subject)


def can_view(session: Session, actor: Person, subject: Person) -> bool:
    return actor.id == subject.id or actor.is_admin or is_above(session, actor, subject)


def require_manager(session: Session, actor: Person, subject: Person) -> None:
    if not can_manage(session, actor, subject):
        raise PermissionDenied("permission.not_manager", subject=subject.display_name)


def reports_of(session: Session, manager: Person, *, subtree: bool = True) -> list[Person]:
    """Active people below `manager`: direct reports, or the whole subtree (breadth-first)."""
    out: list[Person] = []
    frontier = [manager.id]
    seen = {manager.id}
    while frontier:
        rows = session.exec(
            select(Person).where(Person.manager_id.in_(frontier)).order_by(Person.display_name)  # type: ignore[union-attr]
        ).all()
        frontier = []
        for p in rows:
            if p.id in seen:
                continue
            seen.add(p.id)
            if p.active:
                out.append(p)
            frontier.append(p.id)
        if not subtree:
            break
    return out
