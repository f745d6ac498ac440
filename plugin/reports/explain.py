"""Engine traces in plain words, Chinese or English.

The engine returns reason codes; turning them into sentences here keeps the engine pure and
lets every surface (CLI, Slack, Feishu, files) explain a score the same way.
"""

from __future__ import annotations

from liumai.messages import section
from liumai.rubric.engine import LevelTrace, Outcome, PersonScore, Reason, ValueScore
from liumai.rubric.model import EvidenceRule, Rubric

RULE_NAMES = {rule: section("rule")[rule.value] for rule in EvidenceRule}
MARK = {Outcome.MET: "✓", Outcome.HALF: "½", Outcome.NOT_MET: "✗", Outcome.NOT_REACHED: "·"}


def _ids(ids: tuple) -> str:
    return ", ".join(f"#{i}" for i in ids[:8]) + (" …" if len(ids) > 8 else "")


def reason_text(trace: LevelTrace, lang: str) -> str:
    zh = lang.startswith("zh")
    parts: list[str] = []
    for r in trace.reasons:
        if r is Reason.NO_NON_CONFORMING:
            parts.append("无不符合的案例" if zh else "no non-conforming case")
        elif r is Reason.NON_CONFORMING:
            ids = _ids(trace.non_conforming_ids)
            parts.append(f"有不符合的案例 {ids}" if zh else f"non-conforming case {ids}")
        elif r is Reason.ONLY_MITIGATED:
            ids = _ids(trace.non_conforming_ids)
            parts.append(
                f"不符合的案例 {ids} 情有可原，得 0.5 分"
                if zh
                else f"non-conforming case {ids} with mitigating circumstances: half a point"
            )
        elif r is Reason.ENOUGH_CONFORMING:
            parts.append(
                f"符合的案例 {_ids(trace.conforming_ids)}，来自 {trace.distinct_nominators} 位提名人"
                if zh
                else f"conforming case {_ids(trace.conforming_ids)} from {trace.distinct_nominators} "
                f"nominator{'s' if trace.distinct_nominators != 1 else ''}"
            )
        elif r is Reason.NO_CONFORMING:
            parts.append("没有符合的案例" if zh else "no conforming case")
        elif r is Reason.TOO_FEW_NOMINATORS:
            parts.append(
                f"符合的案例仅来自 {trace.distinct_nominators} 位提名人，需要 {trace.required_nominators} 位"
                if zh
                else f"conforming cases from {trace.distinct_nominators} nominator(s), "
                f"{trace.required_nominators} needed"
            )
        elif r is Reason.PREVIOUS_LEVEL:
            parts.append("前一级未达到（通关制）" if zh else "a lower level is not met (progressive scoring)")
    return "；".join(parts) if zh else "; ".join(parts)


def level_line(trace: LevelTrace, lang: str) -> str:
    rule = RULE_NAMES[trace.rule]["zh" if lang.startswith("zh") else "en"]
    return f"{MARK[trace.outcome]} {trace.criterion} ({rule}): {reason_text(trace, lang)}"


def next_step(vs: ValueScore, rubric: Rubric, lang: str) -> str | None:
    """What the value needs for its next point, e.g. 'teamwork.4 needs one conforming case'."""
    zh = lang.startswith("zh")
    stop = vs.stop
    if stop is None:
        return None
    bits: list[str] = []
    if stop.more_nominators_needed:
        n = stop.more_nominators_needed
        if zh:
            bits.append(f"还需要 {n} 位{'其他' if stop.distinct_nominators else ''}同事提供符合的案例")
        elif n == 1 and not stop.distinct_nominators:
            bits.append("needs one conforming case")
        else:
            other = "more " if stop.distinct_nominators else ""
            bits.append(f"needs conforming cases from {n} {other}nominator{'s' if n != 1 else ''}")
    if stop.blocking_ids:
        ids = _ids(stop.blocking_ids)
        if stop.outcome is Outcome.HALF:
            bits.append(
                f"因情有可原的不符合案例 {ids} 得 0.5 分"
                if zh
                else f"is held at 0.5 by mitigated non-conforming case {ids}"
            )
        else:
            bits.append(
                f"本季度有不符合的案例 {ids}，此级不得分"
                if zh
                else f"is blocked this quarter by non-conforming case {ids}"
            )
    if not bits:
        return None
    return f"{stop.criterion}：" + "；".join(bits) if zh else f"{stop.criterion} " + " and ".join(bits)


def score_lines(ps: PersonScore, rubric: Rubric, lang: str, *, with_pending: PersonScore | None = None) -> list[str]:
    zh = lang.startswith("zh")
    out: list[str] = []
    for value in rubric.values:
        vs = ps.values[value.key]
        pend = (
            f" (含待审核: {with_pending.values[value.key].score:g})"
            if zh
            else (f" (with pending: {with_pending.values[value.key].score:g})")
        )
        extra = pend if with_pending and with_pending.values[value.key].score != vs.score else ""
        out.append(f"{value.names.get(lang)} {vs.score:g}/{vs.max_score}{extra}")
        for trace in vs.levels:
            if trace.outcome is not Outcome.NOT_REACHED:
                out.append("  " + level_line(trace, lang))
        nxt = next_step(vs, rubric, lang)
        if nxt:
            out.append(("  → 下一步: " if zh else "  → next: ") + nxt)
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
