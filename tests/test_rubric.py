"""The bundled rubric's content, and the validator's messages for broken rubric files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from liumai.messages import in_lang, section
from liumai.rubric import default_rubric, load_rubric, validate_file
from liumai.rubric import loader as loader_module
from liumai.rubric.loader import RubricError, parse_rubric

# The Chinese statements as the source document's reference page words them, copied once into the
# repository so the check needs nothing outside it.
REFERENCE_ZH = Path(__file__).resolve().parent / "data" / "rubric_reference_zh.json"
VALUES = ["customer_first", "teamwork", "embrace_change", "integrity", "passion", "dedication"]
SOURCE_RULES = {  # as the source document states them (reference page)
    "customer_first.1": "default_pass",
    "customer_first.2": "evidence_required",
    "customer_first.3": "evidence_required",
    "customer_first.4": "default_pass",
    "teamwork.1": "default_pass",
    "teamwork.2": "default_pass",
    "teamwork.3": "evidence_required",
    "teamwork.4": "evidence_required",
    "teamwork.5": "both",
    "embrace_change.1": "default_pass",
    "embrace_change.2": "default_pass",
}


def test_bundled_rubric_has_30_behaviours_in_order():
    r = default_rubric()
    assert r.value_keys == VALUES
    for v in r.values:
        assert [b.level for b in v.behaviours] == [1, 2, 3, 4, 5]
        assert [b.id for b in v.behaviours] == [f"{v.key}.{i}" for i in range(1, 6)]
        assert v.names.zh and v.names.en and v.motto.zh and v.motto.en
    assert len(r.criterion_ids) == 30


def test_rules_follow_the_source_else_policy():
    r = default_rubric()
    for b in r.behaviours():
        if b.id in SOURCE_RULES:
            assert b.rule.value == SOURCE_RULES[b.id], b.id
            assert b.rule_source == "source_document", b.id
        else:
            assert b.rule_source == "policy", b.id
            assert b.rule.value == ("default_pass" if b.level <= 2 else "evidence_required"), b.id


def test_half_point_only_on_customer_first_1():
    assert [b.id for b in default_rubric().behaviours() if b.half_point] == ["customer_first.1"]


def test_statement_sources_and_cases():
    r = default_rubric()
    source_doc = (
        {f"customer_first.{i}" for i in range(1, 6)}
        | {f"teamwork.{i}" for i in range(1, 6)}
        | {"embrace_change.1", "embrace_change.2"}
    )
    for b in r.behaviours():
        expected = "source_document" if b.id in source_doc else "public_copies"
        assert b.statement_source == expected, b.id
        assert b.statement.en and b.key_meaning is not None
        assert len(b.conforming_cases) >= 2 and len(b.non_conforming_cases) >= 1, b.id
    # The source's own cases are kept and marked as such.
    cf1 = r.behaviour("customer_first.1")
    assert any(c.source == "source_document" for c in cf1.non_conforming_cases)
    assert r.behaviour("teamwork.4").conforming_cases[0].source == "source_document"


def test_chinese_statements_match_the_reference_page():
    reference = json.loads(REFERENCE_ZH.read_text(encoding="utf-8"))
    behaviours = list(default_rubric().behaviours())
    assert {b.id for b in behaviours} == set(reference)
    for b in behaviours:
        assert b.statement.zh == reference[b.id], b.id


def test_content_hash_is_stable_and_changes_with_content():
    path = Path(__file__).resolve().parents[1] / "rubric" / "data" / "liumai.yaml"
    text = path.read_text(encoding="utf-8")
    a, b = parse_rubric(text), parse_rubric(text)
    assert a.content_hash == b.content_hash and len(a.content_hash) == 64
    changed = parse_rubric(text.replace("min_distinct_nominators: 1", "min_distinct_nominators: 2"))
    assert changed.content_hash != a.content_hash
    assert changed.policy.min_distinct_nominators == 2


def _broken(tmp_path: Path, mutate) -> list[str]:
    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "rubric/data/liumai.yaml").read_text("utf-8"))
    mutate(data)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return [x.render(in_lang("en")) for x in validate_file(p)]


def test_validate_unknown_rule(tmp_path):
    probs = _broken(tmp_path, lambda d: d["values"][1]["behaviours"][2].update(rule="sometimes"))
    assert probs == [
        "teamwork > teamwork.3 > rule: unknown rule 'sometimes' "
        "(expected one of: default_pass, evidence_required, both)"
    ]


def test_validate_missing_and_duplicate_level(tmp_path):
    def mutate(d):
        bs = d["values"][0]["behaviours"]
        bs[2]["level"] = 2
        bs[2]["id"] = "customer_first.2"

    probs = _broken(tmp_path, mutate)
    assert "customer_first: duplicate level 2" in probs
    assert "customer_first: missing level 3 (levels must run 1..N without gaps)" in probs


def test_validate_bad_id(tmp_path):
    probs = _broken(tmp_path, lambda d: d["values"][2]["behaviours"][0].update(id="Embrace-Change.1"))
    assert len(probs) == 1 and "bad id 'Embrace-Change.1'" in probs[0]
    probs = _broken(tmp_path, lambda d: d["values"][2]["behaviours"][0].update(id="teamwork.1"))
    assert any("value 'embrace_change', level 1 means embrace_change.1" in p for p in probs)


def test_validate_bad_policy(tmp_path):
    probs = _broken(tmp_path, lambda d: d["policy"].update(min_distinct_nominators=0, progressive="maybe"))
    assert any(p.startswith("policy > min_distinct_nominators:") for p in probs)
    assert any(p.startswith("policy > progressive:") for p in probs)
    probs = _broken(tmp_path, lambda d: d["policy"].update(grade_bands=[{"min": 40, "label": {"zh": "优", "en": "A"}}]))
    assert probs == ["policy > grade_bands: min 40 is above the highest possible total 30"]


def test_validate_reports_every_problem_and_typos(tmp_path):
    def mutate(d):
        d["values"][0]["behaviours"][0]["rulez"] = "x"
        d["values"][3]["behaviours"][4]["rule"] = "nope"
        del d["values"][5]["behaviours"][1]["statement"]

    probs = _broken(tmp_path, mutate)
    assert len(probs) == 3
    assert any("customer_first.1 > rulez: unknown field" in p for p in probs)
    assert any("integrity.5 > rule: unknown rule 'nope'" in p for p in probs)
    assert any("dedication.2 > statement: required field is missing" in p for p in probs)


def test_yaml_syntax_error_names_the_line(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("values: [\n  - key: a\n", encoding="utf-8")
    probs = [x.render(in_lang("en")) for x in validate_file(p)]
    assert len(probs) == 1 and probs[0].startswith("line ")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RubricError) as exc:
        load_rubric(tmp_path / "nope.yaml")
    assert exc.value.render(in_lang("en")).startswith(f"{tmp_path / 'nope.yaml'}: (file): cannot read the file (")
    assert "无法读取文件" in exc.value.render(in_lang("zh"))
    assert "cannot_read" in str(exc.value)  # logs: the message key, in no reader's language


def test_rubric_problems_read_in_chinese(tmp_path):
    """The rubric package carries message keys (it imports nothing of the project); the catalogue
    words them in the reader's language, and every key the loader can raise is in it."""

    def mutate(d):
        d["values"][1]["behaviours"][2].update(rule="sometimes")
        d["values"][0]["behaviours"][2].update(level=2, id="customer_first.2")
        d["policy"].update(min_distinct_nominators=0)

    probs = _broken(tmp_path, mutate)
    zh = [x.render(in_lang("zh")) for x in validate_file(tmp_path / "bad.yaml")]
    assert len(zh) == len(probs) >= 3
    assert (
        "teamwork > teamwork.3 > rule: 未知的规则 'sometimes'（应为其中之一：default_pass, evidence_required, both）"
        in zh
    )
    assert "customer_first: 第 2 级重复" in zh and "customer_first: 缺少第 3 级（级必须从 1 到 N 连续）" in zh
    assert "policy > min_distinct_nominators: 不能小于 1" in zh
    source = Path(loader_module.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'_problem\([^,]+, "([a-z_]+)"', source)) | {"not_yaml"}
    assert raised and raised <= set(section("rubric_file")), raised - set(section("rubric_file"))
    assert {k for k, _ in loader_module._PYDANTIC.values()} <= set(section("rubric_file"))


def test_a_company_rubric_with_other_values_loads(tmp_path):
    p = tmp_path / "own.yaml"
    p.write_text(
        """
schema_version: 1
id: acme-values
name: {zh: 价值观, en: Values}
policy: {min_distinct_nominators: 2, grade_bands: [{min: 1.5, label: {zh: 良, en: Good}}]}
values:
  - key: ownership
    names: {zh: 担当, en: Ownership}
    motto: {zh: 我来, en: I got this}
    behaviours:
      - {id: ownership.1, level: 1, statement: {zh: 负责, en: Owns it}, statement_source: policy,
         rule: default_pass, rule_source: policy}
      - {id: ownership.2, level: 2, statement: {zh: 带人, en: Lifts others}, statement_source: policy,
         rule: both, rule_source: policy}
""",
        encoding="utf-8",
    )
    r = load_rubric(p)
    assert r.criterion_ids == {"ownership.1", "ownership.2"}
    assert r.policy.min_distinct_nominators == 2
    assert r.grade(2).label.en == "Good" and r.grade(1) is None


def test_validate_bad_value_key_and_structure(tmp_path):
    probs = _broken(tmp_path, lambda d: d["values"][0].update(key="Customer-First"))
    assert "Customer-First: bad value key 'Customer-First' (lowercase letters, digits and _)" in probs
    probs = _broken(tmp_path, lambda d: d["values"][1].update(behaviours=[]))
    assert "teamwork: no behaviours" in probs
    probs = _broken(tmp_path, lambda d: d.update(values=[]))
    assert probs[0] == "values: at least one value is required"
    p = tmp_path / "list.yaml"
    p.write_text("- 1\n- 2\n", encoding="utf-8")
    assert validate_file(p)[0].render(in_lang("en")).startswith("(file): the top level must be a mapping")
