"""A Feishu contact directory for the org sync tests (tests/feishu/test_feishu_org_sync*.py):
departments with leaders and group chats, and users, as the fake contact API serves them."""

from __future__ import annotations

OK = {"is_frozen": False, "is_resigned": False, "is_activated": True, "is_exited": False, "is_unjoin": False}


def dept(did: str, parent: str, zh: str, en: str, leader: str | None, chat: str | None = None) -> dict:
    return {
        "name": zh,
        "i18n_name": {"zh_cn": zh, "en_us": en},
        "parent_department_id": parent,
        "department_id": did.upper(),
        "open_department_id": did,
        "leader_user_id": leader,
        "chat_id": chat,
        "status": {"is_deleted": False},
    }


def user(open_id: str, name: str, email: str | None, depts: list[str], leader: str | None = None, **status) -> dict:
    return {
        "open_id": open_id,
        "union_id": "on_" + open_id,
        "name": name,
        "email": email,
        "department_ids": depts,
        "leader_user_id": leader,
        "status": {**OK, **status},
    }


def directory(extra_users: int = 0, extra_depts: int = 0) -> tuple[list[dict], list[dict]]:
    """The `org` fixture's people as a Feishu directory (leaders instead of manager e-mails)."""
    depts = [
        dept("od-lead", "0", "管理层", "Leadership", "ou_boss", "oc_lead"),
        dept("od-people", "0", "人力资源", "People", "ou_hr"),
        dept("od-alpha", "od-lead", "阿尔法组", "Alpha", "ou_mgr", "oc_alpha"),
        dept("od-beta", "od-lead", "贝塔组", "Beta", "ou_mgr2"),
    ]
    depts += [dept(f"od-x{i:03d}", "od-beta", f"小组{i}", f"Squad {i}", None) for i in range(extra_depts)]
    users = [
        user("ou_boss", "Boss Chen", "boss@example.com", ["od-lead"]),
        user("ou_hr", "HR Admin", "hr@example.com", ["od-people"], leader="ou_boss"),
        user("ou_mgr", "Manager Li", "mgr@example.com", ["od-alpha"]),  # leads alpha: boss via od-lead
        user("ou_ann", "Ann", "ann@example.com", ["od-alpha"]),
        user("ou_bob", "Bob", "bob@example.com", ["od-alpha"]),
        user("ou_wang", "王芳", "wang@example.com", ["od-alpha"]),
        user("ou_mgr2", "Manager Two", "mgr2@example.com", ["od-beta"]),
        user("ou_cat", "Cat", "cat@example.com", ["od-beta"], leader="ou_mgr2"),
    ]
    users += [
        user(
            f"ou_new{i:03d}",
            f"New {i}",
            f"new{i:03d}@example.com",
            [f"od-x{i % max(extra_depts, 1):03d}" if extra_depts else "od-alpha"],
        )
        for i in range(extra_users)
    ]
    return depts, users
