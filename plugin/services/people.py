"""Looking people up by any of their identities, and the org-chart permission rules.

The session-level helpers serve other services inside their unit of work; the `ctx` functions at
the end are the use cases adapters call, returning `Profile` read models rather than rows, so no
adapter needs a session (or keeps a row alive past its transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session, col, select

from liumai.services.context import AppContext
from liumai.services.errors import NotFound, PermissionDenied
from liumai.services.text import clean_text
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person


@dataclass(frozen=True)
class Profile:
    """What an adapter needs to know about a platform user: who, which language, still here.

    `id` is last so positional construction of the earlier fields keeps its meaning; adapters pass
    it back to services that take a person (`person_summary(ctx, profile.id)`).
    """

    email: str
    display_name: str
    locale: str
    active: bool
    is_admin: bool
    slack_user_id: str | None
    feishu_open_id: str | None
    id: int


def to_profile(p: Person) -> Profile:
    """The read model of a stored person (call inside the session that loaded it)."""
    return Profile(p.email, p.display_name, p.locale, p.active, p.is_admin, p.slack_user_id, p.feishu_open_id, p.id)


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


# ---------------------------------------------------------------------------------- use cases


def _platform_id(platform: str) -> InstrumentedAttribute:
    """The identity column of a platform; the same prefixes `find_person` understands."""
    columns = {"slack": Person.slack_user_id, "feishu": Person.feishu_open_id}
    if platform not in columns:
        raise ValueError(f"unknown platform {platform!r}")
    return columns[platform]  # type: ignore[return-value]


def require_profile(ctx: AppContext, ref: str | int) -> Profile:
    """An active person, refused with `get_person`'s errors (unknown / deactivated) otherwise.

    For commands that default to "me": the refusal reads the same as every other service's.
    """
    with unit_of_work(ctx.engine) as session:
        return to_profile(get_person(session, ref))


def has_direct_reports(ctx: AppContext, ref: str | int) -> bool:
    """Whether an active person has at least one active direct report (admin rights aside).

    `recognition.is_manager` also counts admins; "whose team do you mean" needs the two apart:
    a manager means their own team, an admin without reports has to name one.
    """
    with unit_of_work(ctx.engine) as session:
        return bool(reports_of(session, get_person(session, ref), subtree=False))


def nearest_colleagues(ctx: AppContext, ref: str | int, *, platform: str, limit: int) -> list[Profile]:
    """Whom a person picker offers `ref`: everyone else active on `platform` when that is at most
    `limit` people (by name), else the `limit` nearest in the org chart - manager and direct
    reports, then peers under the same manager, then the rest of the team, then anyone - each
    group by name. Cards and modals cap their option lists, so the nearest have to come first.
    Empty for an unknown person.
    """
    column = _platform_id(platform)
    with unit_of_work(ctx.engine) as session:
        me = find_person(session, ref)
        if me is None:
            return []
        people = list(
            session.exec(
                select(Person)
                .where(Person.active == True, column != None, Person.id != me.id)  # noqa: E711, E712
                .order_by(col(Person.display_name), col(Person.id))
            ).all()
        )
        if len(people) > limit:

            def nearness(p: Person) -> int:
                if p.id == me.manager_id or p.manager_id == me.id:
                    return 0
                if me.manager_id is not None and p.manager_id == me.manager_id:
                    return 1
                return 2 if me.team_id is not None and p.team_id == me.team_id else 3

            people = sorted(people, key=nearness)[:limit]
        return [to_profile(p) for p in people]
