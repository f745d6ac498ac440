"""Capture the SQL a service call issues and ask PostgreSQL how it runs each statement.

Used by tests/test_query_plans.py (small data, `enable_seqscan = off`: a sequential scan that is
left in a plan then means no index can serve the query) and by bench/explain.py (EXPLAIN ANALYZE
on the 10,000-person data set of bench/scale.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

# Tables that grow with the stored history: reading one of them whole for one team or person is a bug.
HISTORY_TABLES = frozenset({"evidence", "nomination", "concern", "audit_log", "suggestion"})


@dataclass
class Plan:
    statement: str
    parameters: Any
    seq_scans: list[str] = field(default_factory=list)  # relations read whole (see `_reads_whole`)
    ms: float = 0.0  # execution time (ANALYZE only)

    @property
    def history_scans(self) -> list[str]:
        return [t for t in self.seq_scans if t in HISTORY_TABLES]


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT sent to the database inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _reads_whole(node: dict[str, Any]) -> bool:
    """A sequential scan, or an index scan with no condition on the index: with sequential scans
    switched off, PostgreSQL reads a table whole through its primary key instead."""
    kind = node["Node Type"]
    return kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node)


def explain(engine: Engine, statements: list[tuple[str, Any]], *, analyze: bool, no_seqscan: bool) -> list[Plan]:
    """EXPLAIN each statement (PostgreSQL) and list the relations its plan reads sequentially."""
    plans = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if no_seqscan:
            cur.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
            cur.execute(f"EXPLAIN ({options}) {statement}", parameters)
            doc = cur.fetchone()[0]
            doc = json.loads(doc) if isinstance(doc, str) else doc
            top = doc[0]
            scans = [n["Relation Name"] for n in _walk(top["Plan"]) if _reads_whole(n)]
            plans.append(Plan(statement, parameters, scans, float(top.get("Execution Time", 0.0))))
        raw.rollback()
    finally:
        raw.close()
    return plans


def plans_of(
    engine: Engine, call: Callable[[], object], *, analyze: bool = False, no_seqscan: bool = True
) -> list[Plan]:
    with captured(engine) as statements:
        call()
    return explain(engine, statements, analyze=analyze, no_seqscan=no_seqscan)
