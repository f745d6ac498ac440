"""The summary's "why" in words, Chinese or English: one plain-text rendering every surface escapes.

The structure (where the climb stopped, what waits, what pending evidence would change) is built
once in the read model (`liumai.services.summary_why`); this module only words it, with behaviour
statements from the rubric in the reader's language, so HTML, Markdown, Slack, Feishu, JSON and
spreadsheets say the same sentence. Lines are plain text: each surface escapes them for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from liumai.messages import t
from liumai.reports import escape as esc
from liumai.rubric.model import Rubric
from liumai.services.summaries import EvidenceLine, PersonSummary
from liumai.services.summary_why import Stop, ValueWhy


def ids_text(ids: tuple | list) -> str:
    return ", ".join(f"#{i}" for i in ids[:8]) + (" …" if len(ids) > 8 else "")


def levels_text(levels: tuple[int, ...]) -> str:
    """`1–2` for a run of levels, `1, 3` otherwise."""
    if len(levels) > 1 and list(levels) == list(range(levels[0], levels[-1] + 1)):
        return f"{levels[0]}–{levels[-1]}"
    return ", ".join(str(x) for x in levels)


def statement(rubric: Rubric, criterion: str, lang: str) -> str:
    try:
        return rubric.behaviour(criterion).statement.get(lang)
    except KeyError:  # evidence under a behaviour this rubric version lacks
        return criterion


def change_text(w: ValueWhy, previous_quarter: str | None, lang: str) -> str:
    """` (+1 since 2026Q3)`; empty without a previous quarter."""
    if w.previous is None or previous_quarter is None:
        return ""
    delta = w.score - w.previous
    return t("why.change", lang, delta=f"{delta:+g}" if delta else "±0", quarter=previous_quarter)


def _stop_clause(w: ValueWhy, rubric: Rubric, lang: str) -> str:
    if w.stop is Stop.COMPLETE or w.stop_level is None or w.stop_criterion is None:
        return t("why.complete", lang)
    crit = w.stop_criterion
    params = {"level": w.stop_level, "criterion": crit, "statement": statement(rubric, crit, lang)}
    if w.stop is Stop.BLOCKED:
        return t("why.blocked", lang, ids=ids_text(w.blocking_ids), **params)
    if w.stop is Stop.HALF:
        return t("why.half", lang, ids=ids_text(w.blocking_ids), **params)
    if w.stop is Stop.NEEDS_NOMINATORS:
        return t("why.needs_nominators", lang, n=w.more_nominators, required=w.required_nominators, **params)
    return t("why.needs_evidence", lang, **params)


def why_line(w: ValueWhy, rubric: Rubric, lang: str, previous_quarter: str | None = None) -> str:
    """`Customer First 1/5: level 2 needs ...; the level-3 story #11 counts once level 2 is met`."""
    clauses = [_stop_clause(w, rubric, lang)]
    below = w.stop_level or 0
    for wait in w.waiting:
        if wait.level == below + 1:
            clauses.append(t("why.waiting_next", lang, level=wait.level, ids=ids_text(wait.ids), below=below))
        else:
            clauses.append(
                t("why.waiting_gap", lang, level=wait.level, ids=ids_text(wait.ids), below=below, upto=wait.level - 1)
            )
    return t(
        "why.value",
        lang,
        value=rubric.value(w.key).names.get(lang),
        score=f"{w.score:g}",
        max=w.max_score,
        change=change_text(w, previous_quarter, lang),
        reason=t("why.clause_sep", lang).join(clauses),
    )


def detail_lines(w: ValueWhy, rubric: Rubric, lang: str, *, concerns: bool = True) -> list[str]:
    """Under the why line: the collapsed default levels, levels a concern touches, what pending would change."""
    out: list[str] = []
    if w.default_levels:
        key = "why.defaults_one" if len(w.default_levels) == 1 else "why.defaults"
        out.append(t(key, lang, levels=levels_text(w.default_levels)))
    if concerns:
        for c in w.concern_levels:
            s = statement(rubric, c.criterion, lang)
            out.append(
                t("why.concern_level", lang, level=c.level, criterion=c.criterion, statement=s, ids=ids_text(c.ids))
            )
    if w.pending_ids:
        name = rubric.value(w.key).names.get(lang)
        ids = ids_text(w.pending_ids)
        if w.score_with_pending != w.score:
            out.append(t("why.pending_raise", lang, ids=ids, value=name, score=f"{w.score_with_pending:g}"))
        else:
            out.append(t("why.pending_same", lang, ids=ids, value=name))
    return out


def evidence_status(e: EvidenceLine, w: ValueWhy, lang: str) -> str:
    if e.status == "pending":
        return t("why.pending", lang)
    return t("why.counts", lang) if e.id in w.counted_ids else t("why.waits", lang)


def evidence_line(e: EvidenceLine, w: ValueWhy, rubric: Rubric, lang: str, *, limit: int = 600) -> str:
    """A story, quoted, with its behaviour's statement, whether it counts, its date and nominator."""
    return t(
        "why.evidence",
        lang,
        id=e.id,
        criterion=e.criterion,
        statement=statement(rubric, e.criterion, lang),
        status=evidence_status(e, w, lang),
        date=e.occurred_at.date().isoformat(),
        nominator=e.nominator,
        text=esc.clip(e.text, limit),
    )


def concern_line(e: EvidenceLine, rubric: Rubric, lang: str, *, limit: int = 600) -> str:
    return t(
        "why.concern",
        lang,
        id=e.id,
        criterion=e.criterion,
        statement=statement(rubric, e.criterion, lang),
        mitigated=t("why.mitigated", lang) if e.mitigated else "",
        date=e.occurred_at.date().isoformat(),
        nominator=e.nominator,
        text=esc.clip(e.text, limit),
    )


def quarter_line(p: PersonSummary, lang: str) -> str | None:
    """Said plainly when a quarter has no evidence at all: its points are all default ones."""
    if not p.all_default:
        return None
    return t("why.all_default", lang, total=f"{p.total:g}", max=p.accepted.max_total)


@dataclass(frozen=True)
class ValueBlock:
    """One value of a person's summary, worded: the why line, its details, the stories, the concerns."""

    key: str
    headline: str
    details: list[str]
    evidence: list[EvidenceLine]
    evidence_lines: list[str]
    concern_lines: list[str]


def person_blocks(p: PersonSummary, rubric: Rubric, lang: str, *, concerns: bool = True) -> list[ValueBlock]:
    prev = p.previous.quarter if p.previous else None
    out = []
    for v in rubric.values:
        w = p.why[v.key]
        ev = p.evidence_for(v.key)
        out.append(
            ValueBlock(
                key=v.key,
                headline=why_line(w, rubric, lang, prev),
                details=detail_lines(w, rubric, lang, concerns=concerns),
                evidence=ev,
                evidence_lines=[evidence_line(e, w, rubric, lang) for e in ev],
                concern_lines=[concern_line(e, rubric, lang) for e in p.concerns_for(v.key)] if concerns else [],
            )
        )
    return out


def why_dict(w: ValueWhy) -> dict:
    """The structure behind the why line, for JSON."""
    return {
        "stop": w.stop.value,
        "stop_level": w.stop_level,
        "stop_criterion": w.stop_criterion,
        "more_nominators": w.more_nominators,
        "required_nominators": w.required_nominators,
        "blocking_ids": list(w.blocking_ids),
        "default_levels": list(w.default_levels),
        "concern_levels": [{"level": c.level, "criterion": c.criterion, "ids": list(c.ids)} for c in w.concern_levels],
        "counted_ids": list(w.counted_ids),
        "waiting": [{"level": x.level, "criterion": x.criterion, "ids": list(x.ids)} for x in w.waiting],
        "pending_ids": list(w.pending_ids),
        "previous": w.previous,
        "has_evidence": w.has_evidence,
    }
