"""Render the evidence-tagging prompt from the template files in `prompts/tagging/`.

Why the split: the system message holds the instructions and the whole rubric and depends on
nothing but the rubric and the templates, so it is byte-identical for every story (providers
cache a repeated prefix, which makes each call cheaper and faster). Everything that varies (the
story, its language, the nominator's value hint) goes into the user message, the story last,
between markers derived from the story's own hash: a story cannot close a delimiter it cannot
predict, and the markers stay deterministic for tests and caching.

The prompt version recorded on every suggestion is a short sha256 of the template files' bytes
plus `RENDERER_REVISION`, which is bumped whenever this module changes what it renders.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from liumai.rubric.model import Behaviour, Case, Rubric

TEMPLATE_PACKAGE = "liumai.prompts.tagging"
TEMPLATE_FILES = ("system.md", "user.md", "reask.md")
# Bump when the rendering code below changes the text it produces (the templates hash themselves).
RENDERER_REVISION = "1"
# "A few" source cases per behaviour and polarity: enough to show the model the boundary between
# behaviours, few enough to keep the cached prefix affordable (~40k characters for the bundled rubric).
CASES_PER_POLARITY = 2
MAX_REASK_ERROR_CHARS = 600

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


@cache
def template(name: str) -> str:
    """The text of one template file (UTF-8), read once per process."""
    return resources.files(TEMPLATE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def version_of(files: dict[str, bytes], renderer: str = RENDERER_REVISION) -> str:
    """`tagging-<12 hex>` of template files' names and bytes and the renderer revision."""
    h = hashlib.sha256(f"renderer:{renderer}\0".encode())
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return f"tagging-{h.hexdigest()[:12]}"


@cache
def prompt_version() -> str:
    """The version of the installed templates: changes exactly when a template or the renderer changes."""
    root = resources.files(TEMPLATE_PACKAGE)
    return version_of({name: root.joinpath(name).read_bytes() for name in TEMPLATE_FILES})


def fill(text: str, **values: str) -> str:
    """Replace `{{name}}` placeholders in one pass, so a value (e.g. a story that contains
    `{{rubric}}`) is never itself expanded; a placeholder without a value is an error."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return _PLACEHOLDER.sub(sub, text)


def _cases(cases: list[Case]) -> list[Case]:
    """Source-document cases first (they carry the rubric owner's intent), then file order."""
    ranked = sorted(enumerate(cases), key=lambda ic: (ic[1].source != "source_document", ic[0]))
    return [c for _, c in ranked[:CASES_PER_POLARITY]]


def _behaviour_block(b: Behaviour) -> str:
    lines = [f"### {b.id}", f"- 行为: {b.statement.zh}", f"- Behaviour: {b.statement.en}"]
    for v in b.variants:
        lines.append(f"- 另一说法 / Also phrased: {v.zh} / {v.en}")
    if b.key_meaning is not None:
        lines.append(f"- 关键含义: {b.key_meaning.zh}")
        lines.append(f"- Key meaning: {b.key_meaning.en}")
    for c in _cases(b.conforming_cases):
        lines.append(f"- 符合的案例 / Conforming example: {c.zh} / {c.en}")
    for c in _cases(b.non_conforming_cases):
        lines.append(f"- 不符合的案例 / Non-conforming example: {c.zh} / {c.en}")
    return "\n".join(lines)


def render_rubric(rubric: Rubric) -> str:
    """The rubric as Markdown, both languages, in file order (deterministic, no clock, no set order)."""
    blocks: list[str] = []
    for value in rubric.values:
        blocks.append(
            f"## {value.key}: {value.names.zh} / {value.names.en}\n格言 / Motto: {value.motto.zh} / {value.motto.en}"
        )
        blocks.extend(_behaviour_block(b) for b in value.behaviours)
    return "\n\n".join(blocks)


_SYSTEM_MEMO: dict[str, str] = {}


def render_system(rubric: Rubric, *, system_template: str | None = None) -> str:
    """The byte-stable system message for a rubric: a function of the rubric and the template
    only (memoised by the rubric's content hash for the installed template)."""
    memo_key = rubric.content_hash if system_template is None else ""
    if memo_key and memo_key in _SYSTEM_MEMO:
        return _SYSTEM_MEMO[memo_key]
    ids = ", ".join(b.id for b in rubric.behaviours())
    name = f"{rubric.name.zh} / {rubric.name.en}"
    text = fill(system_template or template("system.md"), ids=ids, rubric_name=name, rubric=render_rubric(rubric))
    if memo_key:
        _SYSTEM_MEMO[memo_key] = text
    return text


def story_marker(story: str) -> str:
    """`STORY-<8 hex>` from the story's hash: unpredictable to the story's author, stable for us."""
    return "STORY-" + hashlib.sha256(story.encode("utf-8")).hexdigest()[:8]


def render_user(story: str, *, lang: str, rubric: Rubric, value_hint: str | None = None) -> str:
    """The user message: instructions, language, optional value hint, then the delimited story last.

    The hint is only used when it is a value key of the rubric, so free text cannot enter the
    prompt through it.
    """
    hint = ""
    if value_hint and value_hint in rubric.value_keys:
        v = rubric.value(value_hint)
        hint = (
            f"提名人认为可能相关的价值观（仅供参考，可能不准确）/ Value the nominator suggested "
            f"(a hint, may be wrong): {v.key} ({v.names.zh} / {v.names.en})\n"
        )
    return fill(template("user.md"), marker=story_marker(story), lang=lang, hint=hint, story=story)


def render_reask(error: str, *, story: str) -> str:
    """The follow-up message asking for a corrected answer, carrying the validation error."""
    err = error if len(error) <= MAX_REASK_ERROR_CHARS else error[: MAX_REASK_ERROR_CHARS - 1] + "…"
    return fill(template("reask.md"), error=err, marker=story_marker(story))


@dataclass(frozen=True, slots=True)
class Prompt:
    system: str
    user: str
    version: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def build_prompt(story: str, *, lang: str, rubric: Rubric, value_hint: str | None = None) -> Prompt:
    return Prompt(
        system=render_system(rubric),
        user=render_user(story, lang=lang, rubric=rubric, value_hint=value_hint),
        version=prompt_version(),
    )


def response_schema(rubric: Rubric) -> dict:
    """JSON schema of an answer, strict-mode compatible (every property required, no extras).

    An abstain is `{"abstain": true, "reason": ..., "suggestions": []}`; the parser also accepts
    the short form `{"abstain": true, "reason": ...}` from servers that do not enforce schemas.
    """
    suggestion = {
        "type": "object",
        "properties": {
            "criterion": {"type": "string", "enum": [b.id for b in rubric.behaviours()]},
            "polarity": {"type": "string", "enum": ["conforming", "non_conforming"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "quote": {"type": "string"},
            "rationale": {"type": "string"},
        },
        "required": ["criterion", "polarity", "confidence", "quote", "rationale"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "abstain": {"type": "boolean"},
            "reason": {"type": "string"},
            "suggestions": {"type": "array", "items": suggestion, "maxItems": 3},
        },
        "required": ["abstain", "reason", "suggestions"],
        "additionalProperties": False,
    }
