"""Org import in bulk: the number of SQL statements does not grow with the number of people, a
re-import of an unchanged file writes nothing, and the audit log still has one row per real change.

Counting statements (an executemany counts once, as it is one round trip batch) is the
deterministic stand-in for the time figures in bench/scale.py: a per-row INSERT or a per-row
look-up would make the count grow with the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlmodel import Session, func, select

from liumai.services.org import import_org
from liumai.storage.models import AuditLog, Person

HEADER = "email,name,team,manager_email,slack_user_id,feishu_open_id,is_admin,locale\n"


def org_csv(n: int, *, renamed: int = -1) -> str:
    """`n` people in a 3-level chain over 5 teams; person `renamed` gets a new display name."""
    lines = [HEADER]
    for i in range(n):
        manager = "" if i == 0 else f"p{0 if i < 6 else 1 + i % 5}@example.com"
        name = f"Person {i}" + (" Jr" if i == renamed else "")
        lines.append(f"p{i}@example.com,{name},t{i % 5},{manager},U{i:06d},ou_{i:06d},false,en-US\n")
    return "".join(lines)


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def audit_rows(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(AuditLog)).one()


def import_counted(ctx, text: str) -> tuple[list[str], int]:
    before = audit_rows(ctx.engine)
    with statements(ctx.engine) as seen:
        import_org(ctx, text)
    return seen, audit_rows(ctx.engine) - before


def test_first_import_statements_do_not_grow_with_the_org(ctx, engine):
    small, small_audits = import_counted(ctx, org_csv(20))
    with engine.begin() as conn:  # back to an empty org, so the second import is a first import too
        for statement in (
            "UPDATE person SET manager_id = NULL",
            "DELETE FROM audit_log",
            "DELETE FROM person",
            "DELETE FROM team",
        ):
            conn.execute(text(statement))
    large, large_audits = import_counted(ctx, org_csv(400))
    assert len(large) == len(small), (small, large)
    assert len(large) < 40  # a handful of bulk statements, whatever the size
    # one audit row per real change: each person created, each manager link set (all but the
    # top person), each team created
    assert small_audits == 20 + 19 + 5
    assert large_audits == 400 + 399 + 5


def test_reimport_of_an_unchanged_file_writes_nothing(ctx):
    import_org(ctx, org_csv(300))
    seen, audits = import_counted(ctx, org_csv(300))
    assert audits == 0
    assert not [s for s in seen if s in ("INSERT", "UPDATE", "DELETE")], seen
    assert len(seen) < 15


def test_reimport_with_one_change_writes_one_update_and_one_audit_row(ctx, engine):
    import_org(ctx, org_csv(300))
    seen, audits = import_counted(ctx, org_csv(300, renamed=123))
    report_seen = [s for s in seen if s in ("INSERT", "UPDATE")]
    assert audits == 1 and report_seen == ["UPDATE", "INSERT"], seen
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.email == "p123@example.com")).one()
        assert person.display_name == "Person 123 Jr"
        log = s.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()  # type: ignore[union-attr]
        assert log is not None and log.action == "person.update" and log.entity_id == str(person.id)


def test_bulk_import_builds_the_same_chain_as_the_file(ctx, engine):
    report = import_org(ctx, org_csv(60))
    assert len(report.created) == 60 and report.updated == [] and report.unchanged == []
    with Session(engine) as s:
        by_email = {p.email: p for p in s.exec(select(Person)).all()}
    ids = {p.id: email for email, p in by_email.items()}
    for i in range(1, 60):
        want = f"p{0 if i < 6 else 1 + i % 5}@example.com"
        assert ids[by_email[f"p{i}@example.com"].manager_id] == want
    assert by_email["p0@example.com"].manager_id is None
    assert by_email["p7@example.com"].slack_user_id == "U000007" and by_email["p7@example.com"].team_id is not None
