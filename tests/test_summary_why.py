"""The summary's "why" for hand-worked climbs: rubric + evidence built by hand, the exact line asserted.

Customer First in the bundled rubric: level 1 default pass (half point), 2 and 3 need a conforming
case, 4 default pass, 5 needs a conforming case; one nominator suffices (policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from liumai.reports import why
from liumai.rubric import default_rubric
from liumai.rubric.engine import EvidenceItem, score
from liumai.services.summaries import EvidenceLine, PersonSummary, QuarterScore
from liumai.services.summary_why import Stop, value_whys

R = default_rubric()
CF2_EN = R.behaviour("customer_first.2").statement.get("en")
CF2_ZH = R.behaviour("customer_first.2").statement.get("zh")
CF1_EN = R.behaviour("customer_first.1").statement.get("en")
CF1_ZH = R.behaviour("customer_first.1").statement.get("zh")
CF4_EN = R.behaviour("customer_first.4").statement.get("en")
TW2_EN = R.behaviour("teamwork.2").statement.get("en")
AT = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class E:
    """One hand-written evidence row."""

    id: int
    criterion: str
    status: str = "accepted"
    concern: bool = False
    mitigated: bool = False
    nominator: str = "bob"


def _summary(rows: list[E], previous: dict[str, float] | None = None) -> PersonSummary:
    items = [
        EvidenceItem(
            e.id,
            e.criterion,
            "non_conforming" if e.concern else "conforming",
            e.nominator,
            e.status,
            e.mitigated,
        )
        for e in rows
    ]
    result = score(R, items)
    lines = [
        EvidenceLine(
            e.id,
            e.criterion,
            "non_conforming" if e.concern else "conforming",
            e.mitigated,
            e.status,
            f"story {e.id}",
            e.nominator.title(),
            AT,
            None,
        )
        for e in rows
        if e.status != "rejected"
    ]
    evidence = [x for x in lines if not x.is_concern]
    concerns = [x for x in lines if x.is_concern]
    acc = result.accepted
    now = QuarterScore("2026Q4", {k: v.score for k, v in acc.values.items()}, acc.total)
    history: tuple[QuarterScore, ...] = (now,)
    if previous is not None:
        history = (QuarterScore("2026Q3", previous, sum(previous.values())), *history)
    return PersonSummary(
        "ann@example.com",
        "Ann",
        "en",
        "2026Q4",
        result,
        evidence,
        concerns,
        R.version,
        why=value_whys(R, result, lines, previous),
        history=history,
    )


def _why(rows: list[E], lang: str, key: str = "customer_first", previous: dict[str, float] | None = None) -> str:
    p = _summary(rows, previous)
    return why.why_line(p.why[key], R, lang, p.previous.quarter if p.previous else None)


CLIMBS = [
    # (evidence, lang, the exact why line)
    (
        [E(11, "customer_first.3")],
        "en",
        f"Customer First 1/5: level 2 needs an accepted story of “{CF2_EN}” (customer_first.2); "
        "the level-3 story #11 counts once level 2 is met",
    ),
    (
        [E(11, "customer_first.3")],
        "zh",
        f"客户第一 1/5：第2级需要一个已接受的事例，体现“{CF2_ZH}”（customer_first.2）；"
        "第3级的事例 #11 在第2级达到后计入",
    ),
    (
        [E(12, "customer_first.5")],
        "en",
        f"Customer First 1/5: level 2 needs an accepted story of “{CF2_EN}” (customer_first.2); "
        "the level-5 story #12 counts once levels 2–4 are met",
    ),
    (
        [E(5, "customer_first.1", concern=True)],
        "en",
        f"Customer First 0/5: stopped at level 1 “{CF1_EN}” (customer_first.1) because of concern #5",
    ),
    (
        [E(5, "customer_first.1", concern=True)],
        "zh",
        f"客户第一 0/5：停在第1级“{CF1_ZH}”（customer_first.1），因为有关注事项 #5",
    ),
    (
        [E(5, "customer_first.1", concern=True, mitigated=True)],
        "en",
        f"Customer First 0.5/5: level 1 “{CF1_EN}” (customer_first.1) scores a half point: concern #5 is mitigated",
    ),
    (
        [E(1, "customer_first.2"), E(2, "customer_first.3"), E(3, "customer_first.5", nominator="cat")],
        "en",
        "Customer First 5/5: every level is met",
    ),
    (
        [E(1, "customer_first.2"), E(2, "customer_first.3")],
        "zh",
        "客户第一 4/5：第5级需要一个已接受的事例，体现“"
        + R.behaviour("customer_first.5").statement.get("zh")
        + "”（customer_first.5）",
    ),
]


@pytest.mark.parametrize(("rows", "lang", "line"), CLIMBS)
def test_why_line_of_hand_worked_climbs(rows, lang, line):
    assert _why(rows, lang) == line


def test_quarter_over_quarter_change_is_in_the_line():
    line = _why([E(1, "customer_first.2")], "en", previous={"customer_first": 1.0})
    assert line.startswith("Customer First 2/5 (+1 since 2026Q3): level 3 needs")
    zh = _why([], "zh", previous={"customer_first": 2.0})
    assert zh.startswith("客户第一 1/5（较 2026Q3 -1）：")
    same = _why([], "en", previous={"customer_first": 1.0})
    assert same.startswith("Customer First 1/5 (±0 since 2026Q3): ")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_all_default_quarter_says_so(lang):
    p = _summary([])
    assert p.all_default and p.total == 11  # 2 default levels x 5 values + customer_first.1
    expected = {
        "en": "No evidence this quarter: the 11/30 comes only from levels met by default.",
        "zh": "本季度没有任何事例：11/30 全部来自默认达到的级。",
    }
    assert why.quarter_line(p, lang) == expected[lang]
    assert why.quarter_line(_summary([E(1, "teamwork.3", status="pending")]), lang) is None


def test_default_levels_collapse_into_one_line_unless_a_concern_touches_them():
    p = _summary([])
    assert why.detail_lines(p.why["teamwork"], R, "en") == ["Levels 1–2 met by default (no concern)"]
    assert why.detail_lines(p.why["customer_first"], R, "zh") == ["第1级默认达到（无关注事项）"]
    # a concern at teamwork.2 (default pass): the level is named on its own, not in the collapsed line
    p = _summary([E(7, "teamwork.2", concern=True)])
    w = p.why["teamwork"]
    assert w.stop is Stop.BLOCKED and w.default_levels == (1,)
    assert why.why_line(w, R, "en") == f"Teamwork 1/5: stopped at level 2 “{TW2_EN}” (teamwork.2) because of concern #7"
    assert why.detail_lines(w, R, "en") == ["Level 1 met by default (no concern)"]
    # a concern at customer_first.4 (default pass) above the stop: shown un-collapsed
    p = _summary([E(8, "customer_first.4", concern=True)])
    assert why.detail_lines(p.why["customer_first"], R, "en") == [
        "Level 1 met by default (no concern)",
        f"Level 4 “{CF4_EN}” (customer_first.4): concern #8",
    ]
    assert why.detail_lines(p.why["customer_first"], R, "en", concerns=False) == ["Level 1 met by default (no concern)"]


@pytest.mark.parametrize(
    ("lang", "raise_line", "same_line"),
    [
        ("en", "Pending #12 would raise Customer First to 2", "Pending #13 would not change Customer First"),
        ("zh", "待审核的 #12 会使客户第一升至 2", "待审核的 #13 不会改变客户第一的得分"),
    ],
)
def test_pending_evidence_says_what_it_would_change(lang, raise_line, same_line):
    p = _summary([E(12, "customer_first.2", status="pending")])
    assert raise_line in why.detail_lines(p.why["customer_first"], R, lang)
    p = _summary([E(13, "customer_first.5", status="pending")])
    assert same_line in why.detail_lines(p.why["customer_first"], R, lang)


def test_stories_are_quoted_with_statement_status_nominator_and_date():
    p = _summary([E(1, "customer_first.2"), E(11, "customer_first.5"), E(12, "customer_first.3", status="pending")])
    blocks = {b.key: b for b in why.person_blocks(p, R, "en")}
    lines = blocks["customer_first"].evidence_lines
    assert lines[0] == f"#1 customer_first.2 “{CF2_EN}” · counts · 2026-10-02 · from Bob: “story 1”"
    assert "#11 customer_first.5" in lines[1] and "· accepted, not yet counted ·" in lines[1]
    assert "· pending ·" in lines[2]
    zh = {b.key: b for b in why.person_blocks(p, R, "zh")}["customer_first"].evidence_lines
    assert zh[0] == f"#1 customer_first.2“{CF2_ZH}” · 计入 · 2026-10-02 · 提名人 Bob：“story 1”"


def test_two_nominators_policy_names_how_many_more():
    strict = R.model_copy(update={"policy": R.policy.model_copy(update={"min_distinct_nominators": 2})})
    items = [EvidenceItem(1, "customer_first.2", "conforming", "bob")]
    res = score(strict, items)
    lines = [EvidenceLine(1, "customer_first.2", "conforming", False, "accepted", "s", "Bob", AT, None)]
    w = value_whys(strict, res, lines)["customer_first"]
    assert w.stop is Stop.NEEDS_NOMINATORS and w.more_nominators == 1 and w.required_nominators == 2
    # the summary says the policy applied: the story is there, but from too few colleagues
    assert why.why_line(w, strict, "en") == (
        f"Customer First 1/5: level 2 needs accepted stories of “{CF2_EN}” (customer_first.2) from 1 more nominator(s):"
        " the policy asks for 2 different colleagues (min_distinct_nominators)"
    )
    assert why.why_line(w, strict, "zh").endswith("：政策要求来自 2 位不同同事（min_distinct_nominators）")
    assert why.why_dict(w)["required_nominators"] == 2
