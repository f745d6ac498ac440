"""The authorization matrix: every action against every role, on the services.

One table, kept here: `MATRIX[action]` lists the roles allowed; every other role must be refused
with a clear message and no change to the database. The subject is Ann (team alpha, reports to
mgr, who reports to boss). Roles are relative to Ann.
"""

from __future__ import annotations

import pytest

from liumai.services.errors import ServiceError
from tests.authorization_matrix import ALL, MATRIX, ROLES, act, snapshot

CELLS = [(a, r) for a in MATRIX for r in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_matrix_cell(world, action, role):
    ctx, evidence_id, nomination_id = world
    before = snapshot(ctx.engine)
    if role in MATRIX[action]:
        assert act(ctx, action, ROLES[role], evidence_id, nomination_id) is not None
    else:
        with pytest.raises(ServiceError) as exc:
            act(ctx, action, ROLES[role], evidence_id, nomination_id)
        for lang in ("en", "zh"):
            assert exc.value.message(lang).strip()
        assert snapshot(ctx.engine) == before, "a refusal must change nothing"


def test_matrix_covers_every_role_and_action():
    assert set(MATRIX) == {
        "nominate",
        "confirm",
        "see_evidence",
        "decide_evidence",
        "add_concern",
        "see_summary",
        "see_team_summary",
        "post_digest",
        "export",
        "erase",
    }
    assert all(allowed <= ALL for allowed in MATRIX.values())
    assert not any({"unknown", "deactivated"} & allowed for allowed in MATRIX.values())
