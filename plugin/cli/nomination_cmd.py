"""`liumai nominate` and `liumai nomination confirm|cancel`: nominating from the command line.

Registered by `liumai.cli.main` (`app.command("nominate")(nominate)`, `app.add_typer(nomination_app)`).
Who may confirm or cancel is decided by the services (`liumai.services.nominations`), as on Slack
and Feishu; these commands only say what happened.
"""

from __future__ import annotations

import shlex
from typing import Annotated

import typer

from liumai.cli import common
from liumai.cli.common import STATE, emit, fail, service_errors, table
from liumai.cli.texts import abstain_text, tr

nomination_app = typer.Typer(help="Confirm or cancel a nomination (its nominator only).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsOpt = Annotated[str, typer.Option("--as", help="Your e-mail: only the nominator may do this.")]


def _cmd(*parts: object) -> str:
    return " ".join(shlex.quote(str(p)) for p in parts)


def nominate(
    nominator: Annotated[str, typer.Option("--from", help="Nominator's e-mail.")],
    nominee: Annotated[str, typer.Option("--to", help="Nominee's e-mail.")],
    story: Annotated[str, typer.Option("--story", help="What they did (up to 3,000 characters).")],
    criterion: Annotated[str | None, typer.Option("--criterion", help="Confirm this behaviour id.")] = None,
    key: Annotated[
        str | None, typer.Option("--idempotency-key", help="Retrying with the same key never duplicates.")
    ] = None,
    private: Annotated[bool, typer.Option("--private", help="Keep the story out of team digests.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Nominate a colleague; prints the nomination id and the suggested behaviours.

    Running it again with the same story within 10 minutes returns the same nomination (with
    --criterion: confirms it) instead of adding another.
    """
    from liumai.services.nominations import REPEAT_WINDOW, confirm
    from liumai.services.nominations import nominate as run
    from liumai.services.recognition import get_nomination

    ctx = common.context()
    with service_errors():
        res = run(
            ctx,
            nominator,
            nominee,
            story,
            source="cli",
            idempotency_key=key,
            private=private,
            repeat_window=REPEAT_WINDOW,
        )
        evidence = confirm(ctx, res.nomination.id, nominator, criterion) if criterion else None
        # A repeat of a nomination confirmed earlier: say as what, rather than offer to confirm it.
        earlier = get_nomination(ctx, res.nomination.id) if evidence is None and not res.created else None
    lg = STATE.lang
    n = res.nomination
    status = "confirmed" if evidence else (earlier.status if earlier else n.status)
    evidence_id = evidence.id if evidence else (earlier.evidence_id if earlier else None)
    evidence_criterion = evidence.criterion if evidence else (earlier.criterion if earlier else None)
    by = nominator.strip()
    payload = {
        "nomination_id": n.id,
        "created": res.created,
        "status": status,
        "suggestions": [
            {
                "rank": s.rank,
                "criterion": s.criterion,
                "polarity": s.polarity,
                "confidence": round(s.confidence, 3),
                "quote": s.quote,
                "tagger": s.tagger,
            }
            for s in res.suggestions
        ],
        "abstain_reason": n.abstain_reason,
        "criterion": evidence_criterion,
        "evidence_id": evidence_id,
        "evidence_status": evidence.status if evidence else None,
        "confirm_command": None,
        "cancel_command": None,
    }
    if status not in ("confirmed", "cancelled"):
        payload["confirm_command"] = _cmd("liumai", "nomination", "confirm", n.id, "--criterion", "ID", "--as", by)
        payload["cancel_command"] = _cmd("liumai", "nomination", "cancel", n.id, "--as", by)

    def human() -> None:
        typer.echo(tr("nominate.header", id=n.id) + ("" if res.created else tr("nominate.again")))
        if res.suggestions:
            table(
                ["#", *(tr(f"nominate.col.{c}") for c in ("behaviour", "statement", "confidence", "quote"))],
                [
                    [
                        s.rank,
                        s.criterion,
                        ctx.rubric.behaviour(s.criterion).statement.get(lg),
                        f"{s.confidence:.2f}",
                        s.quote,
                    ]
                    for s in res.suggestions
                ],
            )
        elif n.abstain_reason:
            typer.echo(tr("nominate.no_suggestion", reason=abstain_text(n.abstain_reason, lg)))
        if evidence is not None:
            typer.echo(tr("nominate.confirmed", criterion=evidence.criterion, evidence=evidence.id))
        elif evidence_id is not None:
            typer.echo(tr("nominate.was_confirmed", criterion=evidence_criterion, evidence=evidence_id))
        elif status == "cancelled":
            typer.echo(tr("nominate.is_cancelled"))
        elif payload["confirm_command"]:
            typer.echo(tr("nominate.confirm_hint", cmd=payload["confirm_command"]))
            typer.echo(tr("nominate.cancel_hint", cmd=payload["cancel_command"]))

    emit(as_json, payload, human)


@nomination_app.command("confirm")
def nomination_confirm(
    nomination_id: Annotated[int, typer.Argument(help="The nomination's id (printed by `liumai nominate`).")],
    criterion: Annotated[str, typer.Option("--criterion", help="The behaviour id, e.g. teamwork.3.")],
    by: AsOpt,
    as_json: JsonOpt = False,
) -> None:
    """Confirm your nomination as a behaviour: it becomes evidence pending a manager's review."""
    from liumai.services.nominations import confirm
    from liumai.services.recognition import get_nomination

    ctx = common.context()
    with service_errors():
        before = get_nomination(ctx, nomination_id)  # an unknown id is refused here
        evidence = confirm(ctx, nomination_id, by, criterion)  # the nominator rule and the state rules
    if before.evidence_id is not None:  # confirmed before this command ran: it changed nothing
        was = {"criterion": before.criterion, "evidence": before.evidence_id}
        fail(tr("nomination.already_confirmed", id=nomination_id, **was))
    emit(
        as_json,
        {
            "nomination_id": nomination_id,
            "status": "confirmed",
            "criterion": evidence.criterion,
            "evidence_id": evidence.id,
            "evidence_status": evidence.status,
        },
        lambda: typer.echo(tr("nominate.confirmed", criterion=evidence.criterion, evidence=evidence.id)),
    )


@nomination_app.command("cancel")
def nomination_cancel(
    nomination_id: Annotated[int, typer.Argument(help="The nomination's id (printed by `liumai nominate`).")],
    by: AsOpt,
    as_json: JsonOpt = False,
) -> None:
    """Cancel your nomination (before it is confirmed)."""
    from liumai.services.nominations import cancel
    from liumai.services.recognition import get_nomination

    ctx = common.context()
    with service_errors():
        before = get_nomination(ctx, nomination_id)
        n = cancel(ctx, nomination_id, by)
    if before.status == "cancelled":
        fail(tr("nomination.already_cancelled", id=nomination_id))
    emit(
        as_json,
        {"nomination_id": n.id, "status": n.status},
        lambda: typer.echo(tr("nomination.cancelled", id=n.id)),
    )


__all__ = ["nominate", "nomination_app"]
