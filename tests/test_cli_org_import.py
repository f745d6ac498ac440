"""`liumai org import` as a process: a wrong file cannot silently switch everyone off.

The `org` fixture holds the 8 people of ORG_CSV (SQLite, and PostgreSQL when configured). The
incident: a one-row CSV without a `team` column deactivated the 7 others, cleared the row's team
and exited 0.
"""

from __future__ import annotations

from sqlmodel import select

from liumai.services.org import DEACTIVATE_FLOOR, deactivate_limit
from liumai.storage.db import session_scope
from liumai.storage.models import Person, Team
from tests.cli_subprocess import as_json, liumai, ok, snapshot
from tests.conftest import ORG_CSV

ONE_ROW = "email,name\nann@example.com,Ann B\n"


def people(ctx) -> dict[str, dict]:
    with session_scope(ctx.engine) as s:
        teams = {t.id: t.key for t in s.exec(select(Team)).all()}
        ps = s.exec(select(Person)).all()
        emails = {p.id: p.email for p in ps}
        return {
            p.email: {
                "name": p.display_name,
                "active": p.active,
                "team": teams.get(p.team_id),
                "manager": emails.get(p.manager_id),
                "slack": p.slack_user_id,
                "feishu": p.feishu_open_id,
                "admin": p.is_admin,
                "locale": p.locale,
            }
            for p in ps
        }


def test_one_row_file_without_team_column_is_refused_and_changes_nothing(org, db_url, tmp_path):
    f = tmp_path / "one.csv"
    f.write_text(ONE_ROW, encoding="utf-8")
    before = snapshot(org.engine)
    res = liumai(db_url, "org", "import", str(f))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "deactivate 7 of 8 active people" in res.stderr and "--allow-deactivate" in res.stderr
    assert "Nothing was changed" in res.stderr and "cat@example.com" in res.stderr
    assert snapshot(org.engine) == before
    zh = liumai(db_url, "org", "import", str(f), lang="zh")
    assert zh.returncode == 1 and "将停用 8 名在职人员中的 7 名" in zh.stderr and "--allow-deactivate" in zh.stderr
    assert snapshot(org.engine) == before


def test_allow_deactivate_deactivates_but_keeps_the_columns_the_file_lacks(org, db_url, tmp_path):
    f = tmp_path / "one.csv"
    f.write_text(ONE_ROW, encoding="utf-8")
    was = people(org)
    out = as_json(liumai(db_url, "org", "import", str(f), "--allow-deactivate", "--json"))
    assert len(out["deactivated"]) == 7 and out["updated"] == ["ann@example.com"]
    assert out["changes"] == {"ann@example.com": {"name": ["Ann", "Ann B"]}}
    now = people(org)
    assert now["ann@example.com"] == {**was["ann@example.com"], "name": "Ann B"}  # team, manager, ids... kept
    assert now["ann@example.com"]["team"] == "alpha" and now["ann@example.com"]["slack"] == "U0ANN"
    assert [e for e, p in now.items() if p["active"]] == ["ann@example.com"]


def test_absent_columns_are_kept_and_empty_cells_keep_their_meaning(org, db_url, tmp_path):
    # Everyone, but only email,name,team: Bob moves to beta, Wang's team cell is empty (= no team).
    rows = ["email,name,team"]
    for line in ORG_CSV.splitlines()[1:]:
        email, name, team = line.split(",")[:3]
        team = {"bob@example.com": "beta", "wang@example.com": ""}.get(email, team)
        rows.append(f"{email},{name},{team}")
    f = tmp_path / "teams.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    was = people(org)
    out = as_json(liumai(db_url, "org", "import", str(f), "--json"))
    assert sorted(out["updated"]) == ["bob@example.com", "wang@example.com"] and out["deactivated"] == []
    assert out["changes"] == {
        "bob@example.com": {"team": ["alpha", "beta"]},
        "wang@example.com": {"team": ["alpha", None]},
    }
    now = people(org)
    assert now["bob@example.com"] == {**was["bob@example.com"], "team": "beta"}  # manager, ids, admin, locale kept
    assert now["wang@example.com"] == {**was["wang@example.com"], "team": None}
    assert all(now[e] == was[e] for e in was if e not in ("bob@example.com", "wang@example.com"))

    # A present column with an empty cell still clears (manager_email), a present is_admin cell sets.
    f.write_text(
        "email,name,manager_email,is_admin\n"
        + "\n".join(
            f"{e},{p['name']},{'' if e == 'cat@example.com' else (p['manager'] or '')},{e == 'ann@example.com'}"
            for e, p in was.items()
        )
        + "\n",
        encoding="utf-8",
    )
    out = as_json(liumai(db_url, "org", "import", str(f), "--json"))
    assert out["changes"] == {
        "ann@example.com": {"is_admin": [False, True]},
        "cat@example.com": {"manager_email": ["mgr2@example.com", None]},
        "hr@example.com": {"is_admin": [True, False]},
    }
    assert people(org)["cat@example.com"]["team"] == "beta"  # team column absent this time: kept


def test_team_details_without_a_team_column_are_refused(org, db_url, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("email,name,team_slack_channel\nann@example.com,Ann,C0ALPHA\n", encoding="utf-8")
    before = snapshot(org.engine)
    res = liumai(db_url, "org", "import", str(f))
    assert res.returncode == 1 and "'team_slack_channel' describes a row's team: it needs a 'team' column" in res.stderr
    assert snapshot(org.engine) == before


def test_dry_run_lists_every_change_and_writes_nothing(org, db_url, tmp_path):
    csv = ORG_CSV.replace("Bob,alpha,mgr@example.com", "Robert,beta,mgr2@example.com")
    csv = "\n".join(line for line in csv.splitlines() if not line.startswith("cat@")) + "\n"
    csv += "dan@example.com,Dan,gamma,mgr@example.com,U0DAN,,false,en-US\n"
    f = tmp_path / "org.csv"
    f.write_text(csv, encoding="utf-8")
    before = snapshot(org.engine)
    dry = as_json(liumai(db_url, "org", "import", str(f), "--dry-run", "--json"))
    assert dry["dry_run"] is True and dry["over_limit"] is False
    assert dry["created"] == ["dan@example.com"] and dry["teams_created"] == ["gamma"]
    assert dry["updated"] == ["bob@example.com"] and dry["deactivated"] == ["cat@example.com"]
    assert dry["changes"]["bob@example.com"] == {
        "name": ["Bob", "Robert"],
        "team": ["alpha", "beta"],
        "manager_email": ["mgr@example.com", "mgr2@example.com"],
    }
    human = ok(liumai(db_url, "org", "import", str(f), "--dry-run")).stdout
    assert "Dry run: nothing was changed" in human and "manager_email: mgr@example.com -> mgr2@example.com" in human
    assert "deactivate" in human and "cat@example.com" in human
    zh = ok(liumai(db_url, "org", "import", str(f), "--dry-run", lang="zh")).stdout
    assert "试运行：未做任何更改" in zh and "停用" in zh and "新建团队" in zh
    # A dry run of the incident says the real import would be refused - and still writes nothing.
    one = tmp_path / "one.csv"
    one.write_text(ONE_ROW, encoding="utf-8")
    out = as_json(liumai(db_url, "org", "import", str(one), "--dry-run", "--json"))
    assert out["over_limit"] is True and len(out["deactivated"]) == 7 and out["deactivate_limit"] == 2
    assert (
        "Without --allow-deactivate this would be refused"
        in ok(liumai(db_url, "org", "import", str(one), "--dry-run")).stdout
    )
    assert snapshot(org.engine) == before
    # The same file for real does what its dry run said.
    real = as_json(liumai(db_url, "org", "import", str(f), "--json"))
    assert real["dry_run"] is False
    for k in ("created", "updated", "unchanged", "deactivated", "reactivated", "teams_created", "changes"):
        assert real[k] == dry[k], k
    assert people(org)["bob@example.com"]["manager"] == "mgr2@example.com"


def test_the_share_is_a_setting_with_a_floor_for_small_orgs(org, db_url, tmp_path):
    assert deactivate_limit(8, 0.2) == DEACTIVATE_FLOOR == 2 and deactivate_limit(100, 0.2) == 20
    keep = ("boss@", "hr@", "mgr@", "ann@", "bob@")  # wang, mgr2, cat leave: 3 of 8
    f = tmp_path / "five.csv"
    f.write_text(
        "\n".join(line for line in ORG_CSV.splitlines() if line.startswith(("email,", *keep))) + "\n",
        encoding="utf-8",
    )
    before = snapshot(org.engine)
    res = liumai(db_url, "org", "import", str(f))
    assert res.returncode == 1 and "deactivate 3 of 8" in res.stderr
    assert snapshot(org.engine) == before
    bad = liumai(db_url, "org", "import", str(f), env={"LIUMAI_ORG_MAX_DEACTIVATE_SHARE": "1.5"})
    assert bad.returncode == 2 and bad.stderr.startswith("error: LIUMAI_ORG_MAX_DEACTIVATE_SHARE")
    out = as_json(liumai(db_url, "org", "import", str(f), "--json", env={"LIUMAI_ORG_MAX_DEACTIVATE_SHARE": "0.4"}))
    assert sorted(out["deactivated"]) == ["cat@example.com", "mgr2@example.com", "wang@example.com"]
    # Two leavers of eight (25%) need no flag: the floor lets a small org record its leavers.
    f.write_text(ORG_CSV, encoding="utf-8")
    ok(liumai(db_url, "org", "import", str(f)))
    f.write_text("\n".join(line for line in ORG_CSV.splitlines() if not line.startswith(("cat@", "wang@"))) + "\n")
    out = as_json(liumai(db_url, "org", "import", str(f), "--json"))
    assert sorted(out["deactivated"]) == ["cat@example.com", "wang@example.com"]
