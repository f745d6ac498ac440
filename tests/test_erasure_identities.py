"""How erasure decides which records are the person's: linked rows, past addresses, and the limits.

The end-to-end proof (CLI subprocesses, raw database bytes, pg_dump) is tests/test_erasure.py;
these pin the rules where a wrong link would erase or rewrite a colleague's data.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from liumai.services import nominations as nom
from liumai.services.data_rights import erase_person, erase_preview
from liumai.services.errors import PermissionDenied
from liumai.services.org import apply_org, import_org, parse_org_csv
from liumai.storage.models import AuditLog, Nomination, Person
from tests.conftest import ORG_CSV

STORY = "Ann untangled the settlement retries and taught the rota how to read the dashboards."


def _csv(**swap: str) -> str:
    text = ORG_CSV
    for old, new in swap.items():
        text = text.replace(old.replace("__", "."), new)
    return text


def _people(ctx) -> dict[str, Person]:
    with Session(ctx.engine) as s:
        return {p.email: p for p in s.exec(select(Person)).all()}


def _audit(ctx) -> list[AuditLog]:
    with Session(ctx.engine) as s:
        return list(s.exec(select(AuditLog).order_by(AuditLog.id)).all())


def test_an_earlier_row_linked_by_platform_ids_is_erased_too(org):
    nom.nominate(org, "bob@example.com", "ann@example.com", STORY, tag=False)
    import_org(org, ORG_CSV.replace("ann@example.com", "ann.new@example.com"))  # a second row for Ann
    rows = erase_preview(org, "ann.new@example.com")
    assert [p.email for p in rows] == ["ann.new@example.com", "ann@example.com"]
    # Named by the old address, the current (active) row is found too.
    assert [p.email for p in erase_preview(org, "ann@example.com")] == ["ann@example.com", "ann.new@example.com"]
    report = erase_person(org, "ann.new@example.com")
    assert report.people_erased == 2 and report.nominations_deleted == 1
    people = _people(org)
    assert not {"ann@example.com", "ann.new@example.com"} & set(people)
    assert sum(p.display_name == "Ann" for p in people.values()) == 0
    for row in _audit(org):
        assert not {"ann@example.com", "ann.new@example.com", "U0ANN", "ou_ann"} & set(row.detail.split('"'))
    erase = next(r for r in _audit(org) if r.action == "person.erase")
    assert "ann" not in erase.detail.lower()  # ids and counts only


def test_a_colleague_holding_a_released_id_is_not_followed(org):
    """A typo gave Ann Bob's Slack id in one import; the next import gave it back to Bob."""
    import_org(org, _csv(U0ANN="U0BOB", **{"U0BOB,ou_bob": "U0BOBX,ou_bob"}))
    import_org(org, ORG_CSV)
    bob_trail = [
        r.detail for r in _audit(org) if r.entity == "person" and r.entity_id == str(_people(org)["bob@example.com"].id)
    ]
    assert any("U0BOB" in d for d in bob_trail)
    report = erase_person(org, "ann@example.com")
    assert report.people_erased == 1
    bob = _people(org)["bob@example.com"]
    assert bob.active and bob.slack_user_id == "U0BOB" and bob.display_name == "Bob"
    assert [r.detail for r in _audit(org) if r.entity == "person" and r.entity_id == str(bob.id)] == bob_trail


def test_a_past_address_given_to_a_new_hire_leaves_the_new_hire_alone(org):
    # The directory sync follows Ann to a new address (same open_id), as the Feishu sync does.
    apply_org(org, parse_org_csv(_csv(**{"ann@example__com": "ann.wu@example.com"})), match_open_id=True)
    assert _people(org)["ann.wu@example.com"].feishu_open_id == "ou_ann"
    # Once Ann has gone, her old address goes to someone else.
    hire = "ann@example.com,Ann Newhire,beta,mgr2@example.com,U0NEWANN,ou_newann,false,en-US\n"
    import_org(org, _csv(**{"ann@example__com": "ann.wu@example.com"}) + hire)
    nom.nominate(org, "cat@example.com", "ann@example.com", "The new Ann fixed the onboarding doc.", tag=False)
    report = erase_person(org, "ann.wu@example.com")
    assert report.people_erased == 1
    new = _people(org)["ann@example.com"]
    assert new.display_name == "Ann Newhire" and new.active
    rows = _audit(org)
    renamed = next(r for r in rows if r.action == "person.update" and '"old"' in r.detail)
    assert "ann@example.com" not in renamed.detail  # Ann's own history is scrubbed...
    assert any(r.action == "nomination.create" and "ann@example.com" in r.detail for r in rows)  # ...not the hire's
    with Session(org.engine) as s:
        assert s.exec(select(Nomination)).one().nominee_id == new.id


def test_erase_by_an_address_the_person_had_before(org):
    apply_org(org, parse_org_csv(_csv(**{"ann@example__com": "ann.wu@example.com"})), match_open_id=True)
    report = erase_person(org, "ann@example.com")  # the address in the erasure request
    assert report.person_id == _people(org)[report.label].id
    assert "ann.wu@example.com" not in _people(org)


def test_an_admin_cannot_erase_an_earlier_identity_of_their_own(org):
    import_org(org, ORG_CSV.replace("hr@example.com", "hr.new@example.com"))
    with pytest.raises(PermissionDenied):
        erase_person(org, "hr@example.com", viewer="hr.new@example.com")
    assert "hr@example.com" in _people(org)


def test_a_longer_address_that_contains_theirs_is_not_rewritten(org):
    import_org(org, ORG_CSV + "joann@example.com,Joann,alpha,mgr@example.com,U0JOANN,ou_joann,false,en-US\n")
    nom.nominate(org, "bob@example.com", "joann@example.com", "Joann rewrote the flaky importer.", tag=False)
    erase_person(org, "ann@example.com")
    details = " ".join(r.detail for r in _audit(org))
    assert "joann@example.com" in details and "joerased" not in details
