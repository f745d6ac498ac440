"""Org chart import: people, teams and the manager chain from a CSV file or a directory sync.

The whole file is validated before anything is written (`org_csv`: all or nothing), re-importing
updates in place, and people missing from a new import are deactivated rather than deleted, so
their past evidence keeps its meaning. A wrong file cannot silently switch everyone off:
- a column the file does not have is never cleared (only the columns it has are updated);
- an import that would deactivate more than LIUMAI_ORG_MAX_DEACTIVATE_SHARE of the active people
  (and more than `DEACTIVATE_FLOOR`) is refused, unless the caller passes `allow_deactivate`;
- a dry run goes through exactly the same steps in a transaction that is rolled back, so what it
  reports is what the import would do.

The team questions adapters ask (which teams exist, which team a manager means) are answered by
`liumai.services.teams`; its functions are re-exported here for the callers that import them from
this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import select

from liumai.services.context import AppContext
from liumai.services.errors import Conflict
from liumai.services.org_apply import ImportReport as ImportReport  # re-exported: adapters read it
from liumai.services.org_apply import apply_rows
from liumai.services.org_csv import CHAT_RE as CHAT_RE  # re-exported: the Feishu sync checks chat ids with it
from liumai.services.org_csv import EMAIL_RE as EMAIL_RE  # re-exported: the Feishu sync checks e-mails with it
from liumai.services.org_csv import TEAM_RE as TEAM_RE  # re-exported: adapters check typed team keys with it
from liumai.services.org_csv import OrgImportError, OrgRow, check_rows, parse_org_csv
from liumai.services.teams import TeamView as TeamView  # re-exported, as are the team functions below
from liumai.services.teams import find_team as find_team
from liumai.services.teams import managed_team as managed_team
from liumai.services.teams import set_team as set_team
from liumai.services.teams import team_keys as team_keys
from liumai.services.teams import team_locales as team_locales
from liumai.services.uow import unit_of_work
from liumai.storage.models import Person, Team

# Deactivating up to this many people never needs allowing, whatever the share: a small org
# records its leavers without a flag (1 leaver of 4 people is already 25%), while a file that
# lost most of its rows - the mistake this guards against - is far above it.
DEACTIVATE_FLOOR = 2


def deactivate_limit(active: int, share: float) -> int:
    """The most people an import may deactivate without being allowed to: a share of the active
    people, but never fewer than `DEACTIVATE_FLOOR`."""
    return max(DEACTIVATE_FLOOR, int(active * share + 1e-9))


class DeactivationRefused(Conflict):
    """The import would deactivate more people than allowed; it was rolled back (`report` says what it
    would have done)."""

    def __init__(self, report: ImportReport, share: float) -> None:
        self.report = report
        count, active = len(report.deactivated), report.active_before
        super().__init__(
            "org.too_many_deactivations",
            count=count,
            active=active,
            percent=round(100 * count / max(active, 1)),
            limit=f"{share * 100:g}",
            floor=DEACTIVATE_FLOOR,
        )


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


def import_org(
    ctx: AppContext, text: str, actor: str = "cli", *, dry_run: bool = False, allow_deactivate: bool = False
) -> ImportReport:
    """Import a CSV org chart (all or nothing; see the module docstring for the guards)."""
    return apply_org(ctx, parse_org_csv(text), actor, dry_run=dry_run, allow_deactivate=allow_deactivate)


def apply_org(
    ctx: AppContext,
    rows: list[OrgRow],
    actor: str = "cli",
    *,
    match_open_id: bool = False,
    keep_missing: Callable[[Person], bool] | None = None,
    dry_run: bool = False,
    allow_deactivate: bool = False,
) -> ImportReport:
    """Make the stored org match `rows`: create, update, re-activate; deactivate everyone else.

    Only the columns a row has (`OrgRow.columns`) are compared and written; the others keep their
    stored values (a new person gets the defaults). Refuses with `DeactivationRefused`, changing
    nothing, when more people would be deactivated than `deactivate_limit` allows and
    `allow_deactivate` is False. With `dry_run` nothing is written and the report says what would be.

    Sources other than the CSV file may ask for more (the CSV import uses neither):
    - `match_open_id`: a stored person whose Feishu open_id is on a row with another e-mail is
      the same person whose e-mail changed - their e-mail is updated, so history stays theirs,
      instead of deactivating them and creating a stranger;
    - `keep_missing`: people missing from `rows` for whom it returns True stay as they are
      (the Feishu contact sync leaves people who are not in Feishu alone).
    """
    problems = check_rows(rows)
    if problems:
        raise OrgImportError(problems)
    report = ImportReport(dry_run=dry_run)
    share = ctx.settings.org_max_deactivate_share
    try:
        with unit_of_work(ctx.engine) as session:
            apply_rows(session, rows, report, actor, match_open_id, keep_missing)
            report.deactivate_limit = deactivate_limit(report.active_before, share)
            if dry_run:
                raise _DryRun
            if report.over_limit and not allow_deactivate:
                raise DeactivationRefused(report, share)
    except _DryRun:
        pass
    return report


@dataclass(frozen=True)
class StoredPerson:
    """What a directory sync keeps from the stored org that its source does not know."""

    email: str
    feishu_open_id: str | None
    slack_user_id: str | None
    is_admin: bool
    locale: str
    team: str | None  # team key


def stored_people(ctx: AppContext) -> list[StoredPerson]:
    """Everyone stored, active or not: a sync matches its directory against all of them, so a
    returning person is re-activated rather than created anew."""
    with unit_of_work(ctx.engine) as session:
        teams = {t.id: t.key for t in session.exec(select(Team)).all()}
        return [
            StoredPerson(
                p.email,
                p.feishu_open_id,
                p.slack_user_id,
                p.is_admin,
                p.locale,
                teams.get(p.team_id) if p.team_id else None,
            )
            for p in session.exec(select(Person)).all()
        ]
