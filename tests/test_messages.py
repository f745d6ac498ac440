"""The one message catalogue (liumai/messages): same keys and placeholders in both languages, one
vocabulary (the glossary), and every surface reading its words from it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from liumai import messages
from liumai.messages import catalogue, glossary, section, t

ROOT = Path(__file__).resolve().parents[1]
PY_SOURCES = sorted((ROOT / "plugin").rglob("*.py"))


def _entries(lang: str) -> dict[str, str]:
    return {f"{sec}.{key}": text for sec, texts in catalogue(lang).items() for key, text in texts.items()}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_key_is_in_both_languages():
    en, zh = _entries("en"), _entries("zh")
    assert sorted(set(en) - set(zh)) == [], "missing in zh.toml"
    assert sorted(set(zh) - set(en)) == [], "missing in en.toml"
    assert all(v.strip() for v in [*en.values(), *zh.values()]), "an empty message"


def test_placeholders_match_across_languages():
    en, zh = _entries("en"), _entries("zh")
    bad = {k: (_fields(en[k]), _fields(zh[k])) for k in en if _fields(en[k]) != _fields(zh.get(k, ""))}
    assert bad == {}


def test_a_missing_key_would_fail(tmp_path, monkeypatch):
    """The parity check is not vacuous: drop one key from a copy of zh.toml and it is found."""
    text = (ROOT / "plugin/messages/zh.toml").read_text(encoding="utf-8")
    broken = re.sub(r'^"status\.accepted" = .*\n', "", text, count=1, flags=re.M)
    assert broken != text
    import tomllib

    zh = tomllib.loads(broken)
    en = catalogue("en")
    assert any(set(en[s]) - set(zh.get(s, {})) for s in en)


def _forbidden_hits(texts: dict[str, str], patterns: list[str], flags: int = 0) -> list[tuple[str, str]]:
    return [(k, p) for k, v in texts.items() for p in patterns if re.search(p, v, flags)]


def test_zh_catalogue_uses_the_glossary_words_only():
    hits = [h for term in glossary().values() for h in _forbidden_hits(_entries("zh"), term.get("zh_forbidden", []))]
    assert hits == []


def test_en_catalogue_uses_the_glossary_words_only():
    hits = [
        h
        for term in glossary().values()
        for h in _forbidden_hits(_entries("en"), term.get("en_forbidden", []), re.IGNORECASE)
    ]
    assert hits == []


def test_paired_terms_are_translated_by_the_glossary_word():
    """A message saying 'accepted' in English says 已接受 in Chinese (not 已通过 on one platform)."""
    en, zh = _entries("en"), _entries("zh")
    bad = []
    for name, term in glossary().items():
        if not term.get("paired"):
            continue
        for key, text in en.items():
            if re.fullmatch(term["en"], text.strip(), re.IGNORECASE) and term["zh"] not in zh[key]:
                bad.append((name, key, zh[key]))
    assert bad == []


def test_every_glossary_word_is_used():
    """No glossary entry is dead: each word appears in the catalogue or in the code that renders it."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PY_SOURCES)
    zh = "\n".join(_entries("zh").values()) + code
    en = ("\n".join(_entries("en").values()) + code).lower()
    unused = [n for n, term in glossary().items() if term["zh"] not in zh or term["en"] not in en]
    assert unused == [n for n, term in glossary().items() if term.get("reserved")]


def test_the_platforms_agree_on_workflow_states():
    """The words that differed by platform before (Slack 已通过, Feishu 已接受, reports 已采纳)."""
    for state in ("accepted", "rejected", "pending"):
        zh = glossary()[state]["zh"]
        assert t(f"chat.status.{state}", "zh") == zh
        assert t(f"cli.status.{state}", "zh") == zh
    assert t("summary.accepted", "zh") == glossary()["accepted"]["zh"]
    assert t("summary.pending", "zh") == glossary()["pending"]["zh"]


@pytest.mark.parametrize("path", PY_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_outside_the_catalogue_uses_no_forbidden_synonym(path: Path):
    text = path.read_text(encoding="utf-8")
    hits = [p for term in glossary().values() for p in term.get("zh_forbidden", []) if re.search(p, text)]
    assert hits == []


def test_platform_modules_are_accessors_over_the_catalogue():
    from liumai import i18n
    from liumai.cli import texts as cli_texts
    from liumai.feishu import texts as feishu_texts
    from liumai.slack import texts as slack_texts

    assert slack_texts.TEXTS is section("slack")
    assert feishu_texts.TEXTS is section("feishu")
    assert i18n.MESSAGES is section("service")
    assert cli_texts.TEXTS is section("cli")
    assert slack_texts.tx("status.accepted", "zh") == feishu_texts.status_name("accepted", "zh") == "已接受"
    assert slack_texts.SHARED is feishu_texts.SHARED is section("chat")


def test_slack_and_feishu_hold_no_key_in_common():
    """A message both adapters send is ONE sentence in the shared `chat` section; a key in both
    platform sections (or in one and in `chat`) would let the two wordings drift apart again."""
    for lang in messages.LANGS:
        cat = catalogue(lang)
        slack, feishu, chat = set(cat["slack"]), set(cat["feishu"]), set(cat["chat"])
        assert sorted(slack & feishu) == [], lang
        assert sorted(chat & (slack | feishu)) == [], lang


def test_a_shared_sentence_differs_only_in_the_platform_bits():
    """The same words on both platforms; Slack quotes code in backticks and names its channel."""
    from liumai.feishu.texts import tr
    from liumai.slack.texts import tx

    for lang in messages.LANGS:
        assert tx("digest.usage", lang, cmd="/values").replace("`", "") == tr("digest.usage", lang)
        slack, feishu = (
            tx("digest.in_progress", lang, team="t", week="w"),
            tr("digest.in_progress", lang, team="t", week="w"),
        )
        assert slack.replace("`", "").replace(t("chat.place.slack", lang), "") == feishu.replace(
            t("chat.place.feishu", lang), ""
        )
        assert tx("unknown_person", lang, who="ann") == tr("unknown_person", lang, who="ann")


def test_lookup_by_locale():
    assert t("service.nominate.self", "zh-CN") == section("service")["nominate.self"]["zh"]
    assert (
        t("service.person.unknown", "en", who="ann") == "I don't know ann: ask an admin to add them to the org chart."
    )
    assert messages.LANGS == ("en", "zh")


def test_docs_glossary_lists_every_term():
    """docs/glossary.md is the readable form of glossary.toml: each term's two words are in its table."""
    doc = (ROOT / "docs/glossary.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip() for line in doc.splitlines() if line.startswith("| ")
    }
    assert {term["en"]: term["zh"] for term in glossary().values()}.items() <= rows.items()


def test_score_lines_explain_without_pending_scores():
    """reports.explain.score_lines with its default with_pending=None (it crashed before)."""
    from liumai.reports.explain import score_lines
    from liumai.rubric.engine import score
    from liumai.rubric.loader import default_rubric

    rubric = default_rubric()
    ps = score(rubric, []).accepted
    lines = score_lines(ps, rubric, "zh")
    assert len(lines) >= len(rubric.values) and all("含待审核" not in line for line in lines)
