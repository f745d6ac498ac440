"""A digest poster that records what it sent, shared by the digest, scheduler and authorization tests."""

from __future__ import annotations


class FakePoster:
    platform = "slack"

    def __init__(self, fail_after_send: bool = False):
        self.sent: list[str] = []  # the channel's messages (dedupe keys)
        self.fail_after_send = fail_after_send

    def target(self, team):
        return team.slack_channel_id or "C0ALPHA"

    def already_posted(self, target, digest):
        return digest.dedupe_key in self.sent

    def post(self, target, digest):
        self.sent.append(digest.dedupe_key)
        if self.fail_after_send:
            self.fail_after_send = False
            raise ConnectionError("crashed after sending")
        return f"ts-{len(self.sent)}"
