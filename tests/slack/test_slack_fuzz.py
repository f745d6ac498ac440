"""Hostile input through Slack's real HTTP path: slash-command text and modal submissions, fuzzed.

Whatever the text - any Unicode, control characters, huge strings, broken or nested mentions
(`<@`, `<@U123|`, `<@U123|name`, `<<@U1>>`), lone surrogates - and whatever a modal carries, the
app answers 2xx (never 5xx), no listener fails (every ERROR record of the adapter is captured:
`guarded` logs a crash there before apologising), nobody is shown the crash apology, and the
sender is told something clear: an acknowledgement text, a reply through the response_url, a form
or an inline form error.

Stories that look like SQL or markup are stored verbatim and shown inert in every Slack output
built from them: no `<!channel>`/`<!here>` broadcast, no `<@U…>` mention, no `<#C…>` or `<url|text>`
link can reach Slack unescaped - checked over every Web API call and response_url message recorded.

Hypothesis runs derandomized (the same examples every run) with bounded example counts; the
module takes well under 40 s.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from liumai.services import evidence as ev
from liumai.services.org import set_team
from liumai.services.text import clean_text
from liumai.slack import nomination_views, review_views
from liumai.slack import views as B
from tests.slack import payloads as P
from tests.slack.harness import SlackHarness, ack_text, nominations

FUZZ = settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# English and Chinese colleagues, and a manager of one person (so manager paths run, cheaply)
SENDERS = ("U0ANN", "U0WANG", "U0MGR2")
NOMINATE_PREFIXES = ("", "<@U0BOB> ", "<@U0BOB|bob> ", "<@U0NEW> ", "<@U0HELPERBOT> ", "help ", " ")
VALUES_PREFIXES = (
    "",
    "me ",
    "review ",
    "concern ",
    "concern <@U0CAT|cat> ",
    "summary ",
    "summary <@U0NEW> ",
    "team ",
    "team beta ",
    "digest ",
    "digest preview ",
    "我 ",
    "小结 ",
)
BROKEN_MENTIONS = ("<@", "<@U123|", "<@U123|name", "<<@U0BOB>>", "<@U0BOB|<@U0CAT>>", "<@>", "<@u0bob>", "<@W>")
VIEW_IDS = itertools.count(1)  # each submission its own form (a re-submission is tested elsewhere)
APOLOGY = ("Sorry, something went wrong", "抱歉，系统出了点问题")


@pytest.fixture
def db_url(tmp_path) -> str:
    """SQLite only: the same parsing and escaping on either database; PostgreSQL's NUL refusal is
    covered by the services' own hostile-input tests."""
    return f"sqlite:///{tmp_path / 'liumai.db'}"


class Failures(logging.Handler):
    """ERROR records of the adapter: a listener that crashed (guarded logs it before apologising)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def failures() -> Iterator[Failures]:
    handler = Failures()
    loggers = [logging.getLogger(n) for n in ("liumai", "slack_bolt", "slack_sdk", "uvicorn.error")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in loggers:
            lg.removeHandler(handler)


@pytest.fixture
def hostile(slack: SlackHarness) -> SlackHarness:
    set_team(slack.ctx, "beta", slack_channel_id="C0BETA")
    return slack


def _check(slack: SlackHarness, failures: Failures, r, mark: int, *, hook: str | None) -> str:
    """The common oracle: 2xx, no crash logged, no apology, and the sender was told something."""
    assert r.status_code < 500 and r.status_code in (200, 204), (r.status_code, r.text[:200])
    slack.settle()
    assert not failures.records, [f.getMessage() + "\n" + (f.exc_text or "") for f in failures.records]
    later = slack.fake.calls[mark:]
    said = [ack_text(r) or r.text] if r.content else []
    said += [
        json.dumps(c.params, ensure_ascii=False)
        for c in later
        if hook and c.method == "response_url" and c.params["_path"] in hook
    ]
    said += [json.dumps(c.params, ensure_ascii=False) for c in later if c.method.startswith("views.")]
    told = " ".join(s for s in said if s.strip())
    assert told.strip(), "the sender was told nothing"
    assert not any(a in told for a in APOLOGY), told[:300]
    return told


def interact(slack: SlackHarness, payload: dict):
    """An interaction as Slack sends it: JSON with \\u escapes (so even a lone surrogate travels)."""
    return slack.post(urlencode({"payload": json.dumps(payload)}).encode())


def command(slack: SlackHarness, failures: Failures, text: str, user: str, name: str) -> str:
    mark = len(slack.fake.calls)
    r = slack.command(text, user=user, command=name)
    return _check(slack, failures, r, mark, hook=slack.last_hook)


any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
control_heavy = st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=120)
mentions = st.lists(st.sampled_from(BROKEN_MENTIONS), max_size=3).map(" ".join)


@FUZZ
@example(user="U0ANN", name="/nominate", prefix="<@U0BOB> ", body="\x00\x1b[31m\u202e\ufeff\U0010ffff")
@example(user="U0WANG", name="/values", prefix="summary ", body="<@U0BOB|bob> 2026Q9 <@")
@example(user="U0MGR2", name="/values", prefix="team ", body="0000Q1")
@example(user="U0MGR2", name="/values", prefix="digest ", body="9999-W52 preview")
@example(user="U0ANN", name="/nominate", prefix="", body="<<@U0BOB>> nested")
@given(
    user=st.sampled_from(SENDERS),
    name=st.sampled_from(("/nominate", "/values")),
    prefix=st.sampled_from(NOMINATE_PREFIXES + VALUES_PREFIXES),
    body=st.one_of(any_text, control_heavy, mentions.map(lambda m: m + " story"), mentions),
)
def test_any_command_text_gets_a_clear_answer(hostile, failures, user, name, prefix, body):
    command(hostile, failures, prefix + body, user, name)


@settings(FUZZ, max_examples=12)
@example(user="U0WANG", name="/nominate", prefix="<@U0BOB> ", unit="长", length=40_000)
@example(user="U0MGR2", name="/values", prefix="summary <@U0CAT> ", unit="\x00", length=10_000)
@given(
    user=st.sampled_from(SENDERS),
    name=st.sampled_from(("/nominate", "/values")),
    prefix=st.sampled_from(("<@U0BOB> ", "", "concern ", "team ", "digest ")),
    unit=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=6),
    length=st.integers(min_value=3_001, max_value=40_000),
)
def test_huge_command_text(hostile, failures, user, name, prefix, unit, length):
    body = (unit * (length // len(unit) + 1))[:length]
    told = command(hostile, failures, prefix + body, user, name)
    assert len(told) < 60_000
    assert all(len(n.story) <= 3000 for n in nominations(hostile.ctx))


# ------------------------------------------------------------------ modal submissions
maybe_text = st.one_of(st.none(), any_text, control_heavy, st.sampled_from(("", "   ", "长" * 3001, "x" * 10_000)))
users = st.sampled_from((None, "U0BOB", "U0ANN", "U0NEW", "U0HELPERBOT", "USLACKBOT", "U0GHOST", "W0X"))


@FUZZ
@example(nominee="U0BOB", story="\x00\ud800 ok", hint="teamwork", private=True, user="U0ANN")
@example(nominee="U0ANN", story="me", hint="nope", private=False, user="U0ANN")
@given(
    nominee=users,
    story=maybe_text,
    hint=st.one_of(st.none(), st.sampled_from(("teamwork", "integrity", "TEAMWORK", "x" * 200, ""))),
    private=st.booleans(),
    user=st.sampled_from(SENDERS),
)
def test_nomination_form_submissions(hostile, failures, nominee, story, hint, private, user):
    slack = hostile
    form = nomination_views.nominate_modal(slack.ctx.rubric, "en")
    values = {
        B.B_NOMINEE: {"user": P.users_value(nominee)},
        B.B_STORY: {"text": P.text_value(story)},
        B.B_VALUE: {"value": P.option_value(hint)},
        B.B_PRIVATE: {"private": P.checkbox_value(["private"] if private else [])},
    }
    mark = len(slack.fake.calls)
    view_id = f"V0FZ{next(VIEW_IDS)}"
    r = interact(slack, P.view_submission(user, P.submitted_view(form, view_id, values)))
    _check(slack, failures, r, mark, hook=None)
    answer = r.json()
    assert answer["response_action"] in ("errors", "update")
    if answer["response_action"] == "errors":
        assert all(0 < len(t) <= 2000 for t in answer["errors"].values())


@FUZZ
@given(
    subject=users,
    criterion=st.one_of(st.none(), st.sampled_from(("teamwork.1", "integrity.3", "teamwork.99", "x", ""))),
    note=maybe_text,
    mitigated=st.booleans(),
    user=st.sampled_from(("U0MGR2", "U0ANN", "U0HR")),
)
def test_concern_form_submissions(hostile, failures, subject, criterion, note, mitigated, user):
    slack = hostile
    form = review_views.concern_modal(slack.ctx.rubric, "en")
    values = {
        B.B_SUBJECT: {"user": P.users_value(subject)},
        B.B_CRITERION: {"criterion": P.option_value(criterion)},
        B.B_NOTE: {"text": P.text_value(note)},
        B.B_MITIGATED: {"mitigated": P.checkbox_value(["mitigated"] if mitigated else [])},
    }
    mark = len(slack.fake.calls)
    view_id = f"V0CZ{next(VIEW_IDS)}"
    r = interact(slack, P.view_submission(user, P.submitted_view(form, view_id, values)))
    _check(slack, failures, r, mark, hook=None)
    assert r.json()["response_action"] in ("errors", "update")


# ------------------------------------------------------------------ stored verbatim, shown inert
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<@U0BOSS|boss>", "<#C0SECRET>", "<!subteam^S0GRP>")
HOSTILE_STORIES = [
    "Robert'); DROP TABLE nomination;-- fixed the build <!channel>",
    "' OR 1=1; -- <@U0BOSS> and <!here> shipped the release",
    '<script>alert("x")</script><img src=x onerror=alert(1)> helped <https://evil.example|click here>',
    "*bold* _it_ ~strike~ `code` ```block``` > quote <#C0SECRET> <!subteam^S0GRP> <!everyone>",
    '=HYPERLINK("https://evil.example","x") @here @channel &lt;!channel&gt; & <@U0BOSS|boss>',
    "王芳 把 <!channel> 写进了故事 %s %(x)s {0} {story} \\n \\u0000",
]


def test_sql_and_markup_stories_are_stored_verbatim_and_shown_inert(hostile, failures):
    slack = hostile
    for i, story in enumerate(HOSTILE_STORIES):
        slack.command(f"<@U0BOB|bob> {story} #{i}", user="U0ANN")
        [reply] = slack.wait_hook()
        pick = reply.params["blocks"][-1]["elements"][0]
        slack.interact(
            P.block_actions("U0ANN", P.button(pick["action_id"], pick["value"]), response_url=slack.last_hook)
        )
        slack.settle()
    stored = [n.story for n in nominations(slack.ctx)]
    assert stored == [clean_text(f"{s} #{i}") for i, s in enumerate(HOSTILE_STORIES)]  # verbatim
    # the form flow quotes the story in the confirm step
    slack.command("", user="U0WANG")
    form = slack.fake.wait_for("views.open")[-1].json("view")
    values = {B.B_NOMINEE: {"user": P.users_value("U0BOB")}, B.B_STORY: {"text": P.text_value(HOSTILE_STORIES[1])}}
    slack.interact(P.view_submission("U0WANG", P.submitted_view(form, "V0HOSTILE", values)))
    slack.fake.wait_for("views.update")
    # every surface that shows stories: /values me, review, summary, team, digest, Home
    ev.add_concern(slack.ctx, "mgr@example.com", "bob@example.com", "integrity.1", HOSTILE_STORIES[0])
    for user, text in (
        ("U0BOB", "me"),
        ("U0ANN", "me"),
        ("U0MGR", "review"),
        ("U0MGR", "summary <@U0BOB|bob>"),
        ("U0MGR", "team"),
        ("U0MGR", "digest alpha preview"),
    ):
        slack.command(text, user=user, command="/values")
        slack.settle()
    for user in ("U0BOB", "U0MGR"):
        slack.event({"type": "app_home_opened", "user": user, "tab": "home", "event_ts": "1.1"})
    set_team(slack.ctx, "alpha", slack_channel_id="C0ALPHA")
    slack.command("digest alpha", user="U0MGR", command="/values")
    slack.settle()
    assert slack.fake.messages("C0ALPHA") and slack.fake.calls_to("views.publish")
    assert not failures.records
    outputs = [json.dumps(c.params, ensure_ascii=False) for c in slack.fake.calls if c.method != "upload"]
    everything = "\n".join(outputs)
    assert "DROP TABLE nomination" in everything  # the stories were shown
    for ping in PINGS:
        assert ping not in everything, ping
    assert "<https://evil.example" not in everything and "<script>" not in everything
    # the uploaded HTML and CSV are inert too
    for f in slack.fake.uploads():
        data = f["data"].decode("utf-8-sig", "replace")
        if f["filename"].endswith(".html"):
            assert "<script>" not in data and "<!channel>" not in data
        if f["filename"].endswith(".csv"):
            assert not re.search(r'(^|,)"?=HYPERLINK', data, re.MULTILINE)
