"""Feishu / Lark adapter: a thin translator between Feishu payloads and Liumai's services.

`build_feishu(ctx)` returns the `Integration` that `liumai serve` mounts:
- HTTP callback mode: `/feishu/events` and `/feishu/card` on the shared ASGI app, mounted when a
  verification token or an encrypt key is configured (the console's "send to developer server").
- Long-connection mode: `lark.ws.Client` in a background thread (no public URL), used when
  neither is configured. `FEISHU_MODE` (auto | http | ws | both), when the settings define it,
  overrides the choice - e.g. events over the long connection and card callbacks over HTTP.

`FEISHU_DOMAIN` selects feishu.cn (default), larksuite.com (`lark`) or any origin (tests).

`digest_poster()` gives `liumai digest --post` and the scheduler in `serve` the Feishu
`DigestPoster` (a team's `feishu_chat_id`). Building the adapter also installs log redaction for
the Feishu secrets and lark-oapi's logger (`liumai.feishu.logs`).

Where things are. Both adapters use one vocabulary of module names, so a feature is found in the
same place on Feishu and on Slack (`liumai.slack` has the same modules; docs/architecture.md,
"Adapters", lists both side by side):

- `dispatch`: where the platform's events go (`FeishuBot`: de-duplication, messages, the bot menu);
- `commands`: the `/nominate` and `/values` entry handlers (messages are read into the shared
  `liumai.commands` model in `parsing`);
- `nomination_flow`: nominating after the command - the form card, tagging, the nominee's card;
- `actions`: card callbacks (confirm, cancel, review decisions, the form, erase);
- `reports` and `records`: the report subcommands (summary, team, digest) and the record ones
  (evidence, export, erase);
- `views` (primitives, sizes, toasts), `nomination_views`, `review_views` and `report_cards`: rendering;
- `digest`: the weekly digest poster; `texts`: the words (the message catalogue);
- `base`: what every handler shares (who is asking, replies, card answers);
- `settings` (validated at start), `security` (request verification), `asgi` (the HTTP routes),
  `logs` (redaction), `worker_pool` (work after the acknowledgement).
Feishu-only: `ws` (the long connection), `client` (the Open API client) and `org_sync` (the
directory sync).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from liumai.feishu.asgi import FeishuHttp
from liumai.feishu.client import FeishuApi
from liumai.feishu.digest import FeishuDigestPoster
from liumai.feishu.dispatch import FeishuBot
from liumai.feishu.logs import install_redaction
from liumai.feishu.security import REPLAY_WINDOW_S
from liumai.feishu.settings import check_credentials, feishu_mode
from liumai.feishu.ws import LongConnection
from liumai.services.context import AppContext

log = logging.getLogger(__name__)


@dataclass
class FeishuIntegration:
    """What `serve` needs (the `liumai.web.Integration` protocol), plus the parts tests drive."""

    bot: FeishuBot
    http: FeishuHttp
    long_connection: LongConnection
    use_http: bool
    use_ws: bool
    name: str = "feishu"
    threads: list[threading.Thread] = field(default_factory=list)

    def routes(self) -> Sequence[BaseRoute]:
        return self.http.routes() if self.use_http else []

    def digest_poster(self) -> FeishuDigestPoster:
        """Posts weekly digests to each team's Feishu group (used by `digest --post` and `serve`)."""
        return self.bot.poster

    def start_background(self, stop: threading.Event) -> threading.Thread | None:
        if not self.use_ws:
            return None
        thread = self.long_connection.start(stop)
        self.threads.append(thread)
        return thread

    def close(self) -> None:
        """Finish the queued replies (the bot's worker pool) before the process exits."""
        self.bot.shutdown()


def build_feishu(ctx: AppContext, *, replay_window_s: float = REPLAY_WINDOW_S, workers: int = 4) -> FeishuIntegration:
    """Validate the Feishu settings (ConfigError names the variable) and wire the adapter."""
    s = ctx.settings
    check_credentials(s)
    install_redaction(s)
    use_http, use_ws = feishu_mode(s)
    api = FeishuApi(s)
    bot = FeishuBot(ctx, api, workers=workers)
    http = FeishuHttp(
        bot,
        encrypt_key=s.feishu_encrypt_key,
        verification_token=s.feishu_verification_token,
        now_s=lambda: ctx.now().timestamp(),
        window_s=replay_window_s,
    )
    ws = LongConnection(bot, app_id=s.feishu_app_id or "", app_secret=s.feishu_app_secret or "", domain=api.domain)
    if use_http and not s.feishu_encrypt_key:
        log.warning(
            "feishu: FEISHU_ENCRYPT_KEY is not set, so HTTP callbacks are not signed: requests must carry "
            "X-Lark-Request-Timestamp and X-Lark-Request-Nonce and a captured one is refused as a replay, "
            "but anyone who sees the verification token can forge one - set an Encrypt Key in the console"
        )
    return FeishuIntegration(bot=bot, http=http, long_connection=ws, use_http=use_http, use_ws=use_ws)


__all__ = ["FeishuIntegration", "build_feishu"]
