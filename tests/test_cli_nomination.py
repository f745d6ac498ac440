"""Nominating from the CLI without duplicates: `nominate` again confirms the same nomination, and
`nomination confirm|cancel ID --as EMAIL` act on an existing one (its nominator only)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from liumai.services.nominations import REPEAT_WINDOW, cancel, nominate
from liumai.storage.db import session_scope
from liumai.storage.models import Evidence, Nomination, utcnow
from tests.cli_subprocess import as_json, liumai, ok, snapshot

STORY = "Ann walked Bob through the reconciliation job and shared her notes with the whole team."
BOB = ("--from", "bob@example.com", "--to", "ann@example.com")


def rows(ctx) -> tuple[list[tuple[int, str]], list[tuple[int | None, str, str]]]:
    with session_scope(ctx.engine) as s:
        noms = [(n.id, n.status) for n in s.exec(select(Nomination).order_by(Nomination.id)).all()]
        evs = [(e.nomination_id, e.criterion, e.status) for e in s.exec(select(Evidence).order_by(Evidence.id)).all()]
        return noms, evs


def test_nominate_then_nominate_with_criterion_is_one_confirmed_nomination(org, db_url):
    first = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--json"))
    assert first["created"] and first["status"] == "suggested"
    nid = first["nomination_id"]
    assert first["confirm_command"] == f"liumai nomination confirm {nid} --criterion ID --as bob@example.com"
    # The hint `nominate` used to give: run it again with --criterion (here with the story re-typed).
    again = as_json(
        liumai(db_url, "nominate", *BOB, "--story", "  " + STORY.upper() + " ", "--criterion", "teamwork.3", "--json")
    )
    assert again["nomination_id"] == nid and again["created"] is False
    assert again["status"] == "confirmed" and again["evidence_status"] == "pending"
    assert rows(org) == ([(nid, "confirmed")], [(nid, "teamwork.3", "pending")])
    # And once more (a retried script): still one nomination, one piece of evidence.
    third = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--criterion", "teamwork.3", "--json"))
    assert third["nomination_id"] == nid and third["evidence_id"] == again["evidence_id"]
    assert rows(org) == ([(nid, "confirmed")], [(nid, "teamwork.3", "pending")])


def test_nominate_says_how_to_confirm_or_cancel(org, db_url):
    out = ok(liumai(db_url, "nominate", *BOB, "--story", STORY)).stdout
    assert "confirm with: liumai nomination confirm 1 --criterion ID --as bob@example.com" in out
    assert "cancel with:  liumai nomination cancel 1 --as bob@example.com" in out
    assert "--criterion ID (the nominator's choice)" not in out
    zh = ok(
        liumai(db_url, "nominate", "--from", "bob@example.com", "--to", "wang@example.com", "--story", STORY, lang="zh")
    )
    assert (
        "提名 #2" in zh.stdout and "确认：liumai nomination confirm 2 --criterion ID --as bob@example.com" in zh.stdout
    )
    assert "取消：liumai nomination cancel 2 --as bob@example.com" in zh.stdout


def test_nomination_confirm_and_its_refusals(org, db_url):
    nid = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--json"))["nomination_id"]
    before = snapshot(org.engine)
    for args, lang, needle in (
        (("--as", "ann@example.com"), "en", "Only the person who wrote this nomination"),  # the nominee
        (("--as", "mgr@example.com"), "zh", "只有提名人本人"),  # Ann's manager: still not the nominator
        (("--as", "ghost@example.com"), "en", "I don't know ghost@example.com"),
    ):
        res = liumai(db_url, "nomination", "confirm", str(nid), "--criterion", "teamwork.3", *args, lang=lang)
        assert res.returncode == 1 and needle in res.stderr, res.stderr
    res = liumai(db_url, "nomination", "confirm", "99", "--criterion", "teamwork.3", "--as", "bob@example.com")
    assert res.returncode == 1 and "There is no nomination #99" in res.stderr
    res = liumai(db_url, "nomination", "confirm", str(nid), "--criterion", "teamwork.99", "--as", "bob@example.com")
    assert res.returncode == 1 and "teamwork.99 is not a behaviour" in res.stderr
    assert snapshot(org.engine) == before

    out = as_json(
        liumai(
            db_url, "nomination", "confirm", str(nid), "--criterion", "teamwork.3", "--as", "bob@example.com", "--json"
        )
    )
    assert out["status"] == "confirmed" and out["criterion"] == "teamwork.3" and out["evidence_status"] == "pending"
    after = snapshot(org.engine)
    for args, needle in (
        (("confirm", str(nid), "--criterion", "teamwork.3"), f"#{nid} was already confirmed as teamwork.3"),
        (("confirm", str(nid), "--criterion", "teamwork.1"), "already confirmed as teamwork.3"),
        (("cancel", str(nid)), "already confirmed as teamwork.3"),
    ):
        res = liumai(db_url, "nomination", *args, "--as", "bob@example.com")
        assert res.returncode == 1 and needle in res.stderr, (args, res.stderr)
    zh = liumai(
        db_url, "nomination", "confirm", str(nid), "--criterion", "teamwork.3", "--as", "bob@example.com", lang="zh"
    )
    assert zh.returncode == 1 and "此前已确认为 teamwork.3" in zh.stderr
    assert snapshot(org.engine) == after
    assert rows(org) == ([(nid, "confirmed")], [(nid, "teamwork.3", "pending")])


def test_nomination_cancel_and_its_refusals(org, db_url):
    nid = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--json"))["nomination_id"]
    before = snapshot(org.engine)
    res = liumai(db_url, "nomination", "cancel", str(nid), "--as", "ann@example.com")
    assert res.returncode == 1 and "Only the person who wrote this nomination" in res.stderr
    assert liumai(db_url, "nomination", "cancel", "99", "--as", "bob@example.com").returncode == 1
    assert snapshot(org.engine) == before

    out = as_json(liumai(db_url, "nomination", "cancel", str(nid), "--as", "bob@example.com", "--json"))
    assert out == {"nomination_id": nid, "status": "cancelled"}
    after = snapshot(org.engine)
    res = liumai(db_url, "nomination", "cancel", str(nid), "--as", "bob@example.com")
    assert res.returncode == 1 and f"nomination #{nid} was already cancelled" in res.stderr
    res = liumai(db_url, "nomination", "confirm", str(nid), "--criterion", "teamwork.3", "--as", "bob@example.com")
    assert res.returncode == 1 and "This nomination was cancelled" in res.stderr
    zh = liumai(db_url, "nomination", "cancel", str(nid), "--as", "bob@example.com", lang="zh")
    assert zh.returncode == 1 and "此前已取消" in zh.stderr
    assert snapshot(org.engine) == after
    # Telling the story again after cancelling it is a new nomination, not the cancelled one.
    again = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--json"))
    assert again["created"] and again["nomination_id"] != nid
    assert rows(org)[0] == [(nid, "cancelled"), (again["nomination_id"], "suggested")]


def test_a_repeat_is_the_same_story_nominator_and_nominee_within_the_window(org):
    """The window, at the service with an injected clock: exact at its edge."""
    t0 = org.now()
    first = nominate(org, "bob@example.com", "ann@example.com", STORY, repeat_window=REPEAT_WINDOW)
    assert nominate(org, "bob@example.com", "ann@example.com", STORY).created  # Slack/Feishu keys: unchanged
    org.clock.now = t0 + REPEAT_WINDOW - timedelta(seconds=1)
    same = nominate(org, "bob@example.com", "ann@example.com", f" {STORY}\n", repeat_window=REPEAT_WINDOW)
    assert (same.nomination.id, same.created) == (first.nomination.id, False)
    assert nominate(org, "bob@example.com", "ann@example.com", STORY + " Twice.", repeat_window=REPEAT_WINDOW).created
    assert nominate(org, "bob@example.com", "wang@example.com", STORY, repeat_window=REPEAT_WINDOW).created
    assert nominate(org, "cat@example.com", "ann@example.com", STORY, repeat_window=REPEAT_WINDOW).created
    org.clock.now = t0 + REPEAT_WINDOW + timedelta(seconds=1)
    later = nominate(org, "bob@example.com", "ann@example.com", STORY, repeat_window=REPEAT_WINDOW)
    assert later.created and later.nomination.id != first.nomination.id
    cancel(org, later.nomination.id, "bob@example.com")
    assert nominate(org, "bob@example.com", "ann@example.com", STORY, repeat_window=REPEAT_WINDOW).created


def test_cli_repeat_window_against_the_real_clock(org, db_url):
    """Ten minutes on the wall clock: an earlier CLI nomination five minutes ago is the same, one
    eleven minutes ago is not."""
    old = nominate(org, "bob@example.com", "ann@example.com", STORY, at=utcnow() - timedelta(minutes=11), tag=False)
    res = as_json(liumai(db_url, "nominate", *BOB, "--story", STORY, "--json"))
    assert res["created"] and res["nomination_id"] != old.nomination.id
    recent = nominate(org, "bob@example.com", "wang@example.com", STORY, at=utcnow() - timedelta(minutes=5), tag=False)
    res = as_json(
        liumai(db_url, "nominate", "--from", "bob@example.com", "--to", "wang@example.com", "--story", STORY, "--json")
    )
    assert res["nomination_id"] == recent.nomination.id and res["created"] is False
