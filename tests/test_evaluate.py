"""Metric arithmetic of plugin.tagging.evaluate on a hand-made data set with a stub tagger.

Expected figures are computed by hand in the comments, so a change in a definition shows up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liumai.tagging.base import Suggestion, Suggestions, TagContext
from liumai.tagging.evaluate import (
    DatasetError,
    EvalRow,
    evaluate,
    format_report,
    load_dataset,
    percentile,
)

A, B, C = "teamwork.1", "teamwork.2", "integrity.3"
CON, NON = "conforming", "non_conforming"

# text -> (gold criterion, gold polarity, lang, predicted [(criterion, polarity)])
CASES: dict[str, tuple[str | None, str | None, str, list[tuple[str, str]]]] = {
    "r1": (A, CON, "zh", [(A, CON), (B, CON), (C, CON)]),  # top-1 hit, polarity right
    "r2": (A, NON, "zh", [(B, CON), (A, NON), (C, CON)]),  # top-3 hit only
    "r3": (B, CON, "en", [(B, NON)]),  # top-1 hit, polarity wrong
    "r4": (C, CON, "en", []),  # abstained on a story: a miss and a wrong abstention
    "r5": (None, None, "zh", []),  # off-topic, abstained: right
    "r6": (None, None, "en", [(A, CON)]),  # off-topic, answered: wrong
}


class StubTagger:
    name = "stub"

    def __init__(self) -> None:
        self.contexts: list[TagContext | None] = []

    def suggest(self, story: str, context: TagContext | None = None) -> Suggestions:
        self.contexts.append(context)
        preds = CASES[story][3]
        items = tuple(Suggestion(criterion=c, polarity=p, confidence=0.5, quote=story) for c, p in preds)
        return Suggestions(
            items=items,
            tagger="offline",
            rubric_version="test@0",
            abstain_reason=None if items else "stub abstains",
        )


def _rows() -> list[EvalRow]:
    return [EvalRow(text=t, criterion=c, polarity=p, lang=lang) for t, (c, p, lang, _) in CASES.items()]


def test_overall_metrics_by_hand() -> None:
    report = evaluate(StubTagger(), _rows())
    d = report.to_dict()
    assert d["n"] == 6
    # on-topic rows r1..r4: top-1 hits r1, r3; top-3 hits r1, r2, r3
    assert d["top1"] == pytest.approx(2 / 4)
    assert d["top3"] == pytest.approx(3 / 4)
    # abstentions r4, r5: one of them off-topic; off-topic rows r5, r6: one abstained
    assert d["abstain_precision"] == pytest.approx(1 / 2)
    assert d["abstain_recall"] == pytest.approx(1 / 2)
    # top-1 right on r1 (polarity right) and r3 (wrong)
    assert d["polarity_accuracy"] == pytest.approx(1 / 2)
    # classes A, B, C, abstain. gold A,A,B,C,abs,abs; top-1 A,B,B,abs,abs,A
    # A: tp1 fp1 fn1 -> 0.5; B: tp1 fp1 -> 2/3; C: fn1 -> 0; abstain: tp1 fp1 fn1 -> 0.5
    assert d["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0 + 0.5) / 4)


def test_per_language_metrics_by_hand() -> None:
    by_lang = evaluate(StubTagger(), _rows()).to_dict()["by_lang"]
    assert set(by_lang) == {"zh", "en"}
    zh, en = by_lang["zh"], by_lang["en"]
    assert zh["n"] == 3 and en["n"] == 3
    # zh: r1, r2 on topic, r5 off topic
    assert (zh["top1"], zh["top3"]) == (pytest.approx(0.5), pytest.approx(1.0))
    assert (zh["abstain_precision"], zh["abstain_recall"], zh["polarity_accuracy"]) == (1.0, 1.0, 1.0)
    # classes in zh data: A + abstain (B is only predicted). A: tp1 fn1 -> 2/3; abstain: tp1 -> 1
    assert zh["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 2)
    # en: r3, r4 on topic, r6 off topic
    assert (en["top1"], en["top3"]) == (pytest.approx(0.5), pytest.approx(0.5))
    assert (en["abstain_precision"], en["abstain_recall"], en["polarity_accuracy"]) == (0.0, 0.0, 0.0)
    # classes B, C, abstain: B 1.0; C 0; abstain fp1 fn1 -> 0
    assert en["macro_f1"] == pytest.approx(1 / 3)


def test_report_keys_latency_and_extra() -> None:
    report = evaluate(StubTagger(), _rows())
    d = report.to_dict()
    for key in ("n", "top1", "top3", "macro_f1", "abstain_precision", "abstain_recall", "polarity_accuracy", "by_lang"):
        assert key in d
    assert set(d["by_lang"]["zh"]) == {
        "n",
        "top1",
        "top3",
        "macro_f1",
        "abstain_precision",
        "abstain_recall",
        "polarity_accuracy",
    }
    assert 0 <= d["latency_p50_ms"] <= d["latency_p95_ms"]
    assert isinstance(d["extra"], dict) and d["extra"]["quote_valid_rate"] == 1.0
    assert d["tagger"] == "stub"
    json.dumps(d)  # serialisable for --json
    assert len(report.rows) == 6


def test_undefined_rates_are_none_not_made_up() -> None:
    rows = [EvalRow(text="r1", criterion=A, polarity=CON, lang="zh")]
    d = evaluate(StubTagger(), rows).to_dict()
    assert d["top1"] == 1.0
    assert d["abstain_precision"] is None  # no abstention at all
    assert d["abstain_recall"] is None  # no off-topic row
    assert d["by_lang"].keys() == {"zh"}
    # only class A is defined ("abstain" has neither a gold row nor a prediction)
    assert d["macro_f1"] == 1.0


def test_context_is_not_passed_unless_asked() -> None:
    stub = StubTagger()
    evaluate(stub, _rows())
    assert stub.contexts == [None] * 6
    stub = StubTagger()
    evaluate(stub, _rows(), pass_lang=True)
    assert [c.lang for c in stub.contexts if c] == ["zh", "zh", "en", "en", "zh", "en"]


def test_percentile() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([float(i) for i in range(101)], 95) == pytest.approx(95.0)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_format_report_is_a_table() -> None:
    text = format_report(evaluate(StubTagger(), _rows()))
    lines = text.splitlines()
    assert lines[0] == "tagger: stub"
    assert lines[1].split() == ["metric", "all", "zh", "en"]
    top1 = next(line for line in lines if line.startswith("top1"))
    assert top1.split() == ["top1", "0.500", "0.500", "0.500"]
    assert "p50" in text and "p95" in text


# ------------------------------------------------------------------------------- load_dataset
def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "set.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_load_dataset_reads_rows_and_skips_blank_lines(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        [
            json.dumps({"text": "他主动分享经验", "criterion": A, "polarity": CON, "lang": "zh"}),
            "",
            json.dumps({"text": "Lunch anyone?", "criterion": None, "polarity": None}),
        ],
    )
    rows = load_dataset(p)
    assert rows == [
        EvalRow("他主动分享经验", A, CON, "zh"),
        EvalRow("Lunch anyone?", None, None, "en"),  # lang detected when absent
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(["a list"]), "JSON object"),
        (json.dumps({"text": "", "criterion": None, "polarity": None}), "'text'"),
        (json.dumps({"text": "x", "criterion": A, "polarity": "good"}), "'polarity'"),
        (json.dumps({"text": "x", "criterion": None, "polarity": CON}), "off-topic"),
        (json.dumps({"text": "x", "criterion": 3, "polarity": CON}), "'criterion'"),
        (json.dumps({"text": "x", "criterion": A, "polarity": CON, "lang": "fr"}), "'lang'"),
    ],
)
def test_load_dataset_names_the_bad_line(tmp_path: Path, bad: str, message: str) -> None:
    good = json.dumps({"text": "ok", "criterion": A, "polarity": CON, "lang": "en"})
    p = _write(tmp_path, [good, good, bad])
    with pytest.raises(DatasetError) as err:
        load_dataset(p)
    assert f"{p}:3:" in str(err.value)
    assert message in str(err.value)


def test_load_dataset_checks_ids_against_the_rubric(tmp_path: Path) -> None:
    p = _write(tmp_path, [json.dumps({"text": "x", "criterion": "teamwrok.1", "polarity": CON, "lang": "en"})])
    assert load_dataset(p)[0].criterion == "teamwrok.1"  # without a rubric: accepted
    with pytest.raises(DatasetError, match=r":1: unknown criterion 'teamwrok.1'"):
        load_dataset(p, known_ids={A, B, C})


def test_load_dataset_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "nope.jsonl")
    with pytest.raises(DatasetError, match="no rows"):
        load_dataset(_write(tmp_path, [""]))
