"""Engine traces in plain words, Chinese or English.

The engine returns reason codes; turning them into sentences here keeps the engine pure and
lets every surface (CLI, Slack, Feishu, files) explain a score the same way.
"""

from __future__ import annotations

from liumai.messages import section, t
from liumai.rubric.engine import LevelTrace, Outcome, PersonScore, Reason, ValueScore
from liumai.rubric.model import EvidenceRule, Rubric

RULE_NAMES = {rule: section("rule")[rule.value] for rule in EvidenceRule}
MARK = {Outcome.MET: "✓", Outcome.HALF: "½", Outcome.NOT_MET: "✗", Outcome.NOT_REACHED: "·"}


def _ids(ids: tuple) -> str:
    return ", ".join(f"#{i}" for i in ids[:8]) + (" …" if len(ids) > 8 else "")


def reason_text(trace: LevelTrace, lang: str) -> str:
    parts: list[str] = []
    for r in trace.reasons:
        if r is Reason.NO_NON_CONFORMING:
            parts.append(t("explain.no_non_conforming", lang))
        elif r is Reason.NON_CONFORMING:
            parts.append(t("explain.non_conforming", lang, ids=_ids(trace.non_conforming_ids)))
        elif r is Reason.ONLY_MITIGATED:
            parts.append(t("explain.only_mitigated", lang, ids=_ids(trace.non_conforming_ids)))
        elif r is Reason.ENOUGH_CONFORMING:
            key = "explain.enough_conforming_one" if trace.distinct_nominators == 1 else "explain.enough_conforming"
            parts.append(t(key, lang, ids=_ids(trace.conforming_ids), n=trace.distinct_nominators))
        elif r is Reason.NO_CONFORMING:
            parts.append(t("explain.no_conforming", lang))
        elif r is Reason.TOO_FEW_NOMINATORS:
            parts.append(
                t("explain.too_few_nominators", lang, n=trace.distinct_nominators, required=trace.required_nominators)
            )
        elif r is Reason.PREVIOUS_LEVEL:
            parts.append(t("explain.previous_level", lang))
    return t("explain.reasons_sep", lang).join(parts)


def level_line(trace: LevelTrace, lang: str) -> str:
    rule = RULE_NAMES[trace.rule]["zh" if lang.startswith("zh") else "en"]
    return f"{MARK[trace.outcome]} {trace.criterion} ({rule}): {reason_text(trace, lang)}"


def next_step(vs: ValueScore, rubric: Rubric, lang: str) -> str | None:
    """What the value needs for its next point, e.g. 'teamwork.4 needs one conforming case'."""
    stop = vs.stop
    if stop is None:
        return None
    bits: list[str] = []
    if stop.more_nominators_needed:
        n = stop.more_nominators_needed
        if n == 1 and not stop.distinct_nominators:
            bits.append(t("explain.needs_one", lang))
        else:
            key = "explain.needs_more_nominator" if stop.distinct_nominators else "explain.needs_nominator"
            bits.append(t(key + ("" if n == 1 else "s"), lang, n=n))
    if stop.blocking_ids:
        key = "explain.held_half" if stop.outcome is Outcome.HALF else "explain.blocked"
        bits.append(t(key, lang, ids=_ids(stop.blocking_ids)))
    if not bits:
        return None
    return t("explain.next_step", lang, criterion=stop.criterion, steps=t("explain.steps_sep", lang).join(bits))


def score_lines(ps: PersonScore, rubric: Rubric, lang: str, *, with_pending: PersonScore | None = None) -> list[str]:
    """One line per value (score, and the score with pending evidence when it differs), its levels, its next step."""
    out: list[str] = []
    for value in rubric.values:
        vs = ps.values[value.key]
        pending = with_pending.values[value.key].score if with_pending is not None else vs.score
        extra = t("explain.with_pending", lang, score=f"{pending:g}") if pending != vs.score else ""
        out.append(f"{value.names.get(lang)} {vs.score:g}/{vs.max_score}{extra}")
        for trace in vs.levels:
            if trace.outcome is not Outcome.NOT_REACHED:
                out.append("  " + level_line(trace, lang))
        nxt = next_step(vs, rubric, lang)
        if nxt:
            out.append(t("explain.next", lang) + nxt)
    return out


def trace_dict(vs: ValueScore) -> dict:
    return {
        "score": vs.score,
        "max": vs.max_score,
        "stopped_at": vs.stopped_at,
        "levels": [
            {
                "criterion": t.criterion,
                "level": t.level,
                "rule": t.rule.value,
                "outcome": t.outcome.value,
                "reasons": [r.value for r in t.reasons],
                "conforming_ids": list(t.conforming_ids),
                "non_conforming_ids": list(t.non_conforming_ids),
                "distinct_nominators": t.distinct_nominators,
                "required_nominators": t.required_nominators,
                "more_nominators_needed": t.more_nominators_needed,
                "blocking_ids": list(t.blocking_ids),
            }
            for t in vs.levels
        ],
    }
