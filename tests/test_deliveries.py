"""Once-only delivery handling and the adapters' profile lookup."""

from __future__ import annotations

import threading
from datetime import timedelta

from liumai.services import deliveries as dl


def test_claim_is_true_exactly_once_per_platform_and_key(org):
    assert dl.claim(org, "slack", "evt-1") and not dl.claim(org, "slack", "evt-1")
    assert dl.claim(org, "feishu", "evt-1")  # platforms do not collide
    dl.release(org, "slack", "evt-1")
    assert dl.claim(org, "slack", "evt-1")
    assert dl.claim(org, "slack", "x" * 500) and not dl.claim(org, "slack", "x" * 500)


def test_concurrent_claims_have_one_winner(org):
    wins: list[bool] = []
    barrier = threading.Barrier(6)

    def go():
        barrier.wait()
        wins.append(dl.claim(org, "feishu", "evt-race"))

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 5 + [True]


def test_prune_and_profile(org):
    dl.claim(org, "slack", "old")
    org.clock.now += timedelta(days=8)
    dl.claim(org, "slack", "new")
    assert dl.prune(org, "slack", 7) == 1
    assert dl.claim(org, "slack", "old") and not dl.claim(org, "slack", "new")
    p = dl.profile(org, "slack:U0WANG")
    assert p and p.display_name == "王芳" and p.locale == "zh-CN" and p.email == "wang@example.com"
    assert dl.profile(org, "feishu:ou_nobody") is None
