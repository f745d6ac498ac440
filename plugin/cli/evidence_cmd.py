"""`liumai evidence list|accept|reject|retag` and `liumai concern add`: reviewing evidence.

Who may see or decide what is decided by the services (`liumai.services.evidence`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, JsonOpt, emit, service_errors, table, tr

evidence_app = typer.Typer(help="List and decide evidence.", no_args_is_help=True)
concern_app = typer.Typer(help="Record non-conforming cases (managers).", no_args_is_help=True)


@evidence_app.command("list")
def evidence_list(
    person: Annotated[str | None, typer.Option("--person")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending, accepted or rejected")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter")] = None,
    viewer: Annotated[str | None, typer.Option("--as", help="Show what this person may see.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Evidence (the operator sees all; --as EMAIL applies that person's permissions)."""
    from liumai.services.evidence import list_evidence
    from liumai.services.scoring import resolve_quarter

    ctx = common.context()
    with service_errors():
        q = resolve_quarter(ctx, quarter) if quarter else None
        rows = list_evidence(ctx, viewer, person=person, status=status, period=q)
    emit(
        as_json,
        [r.to_dict() for r in rows],
        lambda: table(
            [
                tr(f"evidence.col.{c}")
                for c in ("id", "person", "behaviour", "polarity", "status", "from", "date", "text")
            ],
            [
                [
                    r.id,
                    r.subject_email,
                    r.criterion,
                    tr(f"polarity.{r.polarity}") + (tr("evidence.mitigated_suffix") if r.mitigated else ""),
                    tr(f"status.{r.status}"),
                    r.nominator_email,
                    r.occurred_at.date(),
                    (r.story or r.note or "")[:80],
                ]
                for r in rows
            ],
        ),
    )


def _decide(evidence_id: int, by: str, decision: str, as_json: bool) -> None:
    from liumai.services.evidence import decide

    ctx = common.context()
    with service_errors():
        v = decide(ctx, evidence_id, by, decision)
    note = "" if v.changed else " " + tr("evidence.already_so")
    emit(
        as_json,
        {**v.to_dict(), "changed": v.changed},
        lambda: typer.echo(
            tr(
                "evidence.decided",
                id=v.id,
                criterion=v.criterion,
                email=v.subject_email,
                status=tr(f"status.{v.status}"),
            )
            + note
        ),
    )


@evidence_app.command("accept")
def evidence_accept(evidence_id: int, by: Annotated[str, typer.Option("--by")], as_json: JsonOpt = False) -> None:
    """Accept evidence (managers of the person, or an admin)."""
    _decide(evidence_id, by, "accepted", as_json)


@evidence_app.command("reject")
def evidence_reject(evidence_id: int, by: Annotated[str, typer.Option("--by")], as_json: JsonOpt = False) -> None:
    """Reject evidence (managers of the person, or an admin)."""
    _decide(evidence_id, by, "rejected", as_json)


@evidence_app.command("retag")
def evidence_retag(
    evidence_id: int,
    criterion: Annotated[str, typer.Option("--criterion")],
    by: Annotated[str, typer.Option("--by")],
    as_json: JsonOpt = False,
) -> None:
    """Re-tag evidence to another behaviour (and accept it)."""
    from liumai.services.evidence import retag

    ctx = common.context()
    with service_errors():
        v = retag(ctx, evidence_id, by, criterion)
    note = "" if v.changed else " " + tr("evidence.already_so")
    emit(
        as_json,
        {**v.to_dict(), "changed": v.changed},
        lambda: typer.echo(
            tr("evidence.retagged", id=v.id, criterion=v.criterion, status=tr(f"status.{v.status}")) + note
        ),
    )


@concern_app.command("add")
def concern_add(
    by: Annotated[str, typer.Option("--by", help="The manager's e-mail.")],
    person: Annotated[str, typer.Option("--person")],
    criterion: Annotated[str, typer.Option("--criterion")],
    note: Annotated[str, typer.Option("--note")],
    mitigated: Annotated[bool, typer.Option("--mitigated", help="情有可原: mitigating circumstances.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Record a non-conforming case; visible to managers and admins only."""
    from liumai.services.evidence import add_concern

    ctx = common.context()
    with service_errors():
        v = add_concern(ctx, by, person, criterion, note, mitigated=mitigated)
    emit(
        as_json,
        v.to_dict(STATE.lang),
        lambda: typer.echo(
            tr("concern.recorded_mitigated" if v.mitigated else "concern.recorded", id=v.id, criterion=v.criterion)
        ),
    )
    for n in v.notices:  # e.g. mitigation that cannot change the score: said at once, in JSON too
        typer.echo(tr("cli.warning", message=n.message(STATE.lang)), err=True)


__all__ = ["concern_app", "evidence_app"]
