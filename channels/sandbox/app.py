"""Assembles the fake platforms into one aiohttp application and one inspectable state object.

Routes are relative: the WeChat fake answers ``/wechat/cgi-bin/...``, Weibo ``/weibo/2/...``,
WeCom ``/wecom/cgi-bin/...``, and the follower's-eye page is ``/timeline``. Mount the app under
``/sandbox`` (``parent.add_subapp("/sandbox", app)``) or run it on its own port; a client's base
URL is then ``http://HOST:PORT/sandbox/wechat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web

from channels.sandbox.back_office import back_office_routes, wechat_post, weibo_post
from channels.sandbox.config import EventSink, SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import SandboxStore
from channels.sandbox.recorder import Recorder
from channels.sandbox.timeline import timeline_routes
from channels.sandbox.wechat_api import WeChatSandbox
from channels.sandbox.wecom_api import WeComSandbox
from channels.sandbox.weibo_api import WeiboSandbox


@dataclass
class Sandbox:
    """Everything a test or simulator inspects or scripts."""

    config: SandboxConfig
    faults: Faults
    recorder: Recorder
    wechat: WeChatSandbox
    weibo: WeiboSandbox
    wecom: WeComSandbox
    store: SandboxStore

    def close(self) -> None:
        """Close the state file (after the apps serving this sandbox have stopped)."""
        self.store.close()

    def note_user_message(self, account_key: str, openid: str, at: datetime | None = None) -> None:
        """A follower messaged the OA (or a fan the Weibo account): opens the window in which
        the account may answer."""
        if account_key in self.weibo.accounts:
            self.weibo.note_user_message(account_key, openid, at)
            return
        self.wechat.note_user_message(account_key, openid, at)

    def back_office_post(
        self, account_key: str, title: str, content: str, *, at: datetime | None = None
    ) -> str:
        """Staff post in the platform's own back office (not through the bot); returns the
        remote id (WeChat article_id, Weibo status id). Weibo posts ``content`` as the text."""
        stamp = at.timestamp() if at is not None else None
        if account_key in self.wechat.accounts:
            return wechat_post(self.wechat, account_key, title, content, at=stamp)
        return weibo_post(self.weibo, account_key, content, at=stamp)

    def set_event_sink(self, sink: EventSink | None) -> None:
        """Where PUBLISHJOBFINISH / MASSSENDJOBFINISH go (the lead wires the signed callback)."""
        self.config.event_sink = sink

    def timeline(self, account_key: str) -> list[TimelineEntry]:
        """What an account's followers see, oldest first (WeChat or Weibo account key)."""
        if account_key in self.wechat.accounts:
            self.wechat.resume_due()
            return [
                TimelineEntry(
                    "wechat", post.article_id, a.title, post.published_at, a.deleted, a.url, a.index
                )
                for post in self.wechat.accounts[account_key].timeline
                for a in post.articles
            ]
        return [
            TimelineEntry("weibo", str(s.id), s.text, s.created_at, s.deleted)
            for s in self.weibo.accounts[account_key].statuses
        ]


@dataclass(frozen=True)
class TimelineEntry:
    platform: str
    remote_id: str  # WeChat article_id, Weibo status id
    title: str  # WeChat article title, Weibo status text
    at: float
    deleted: bool
    url: str = ""
    index: int = 1  # WeChat: position of the article in its post


SANDBOX_KEY = web.AppKey("nm_sandbox", Sandbox)


def create_sandbox(
    config: SandboxConfig | None = None, *, state: str | Path | None = None
) -> Sandbox:
    """The fake platforms; ``state``: the file that keeps them across restarts (None: memory)."""
    config = config or SandboxConfig()
    store = SandboxStore(state)
    faults, recorder = Faults(), Recorder(store)
    return Sandbox(
        config=config,
        faults=faults,
        recorder=recorder,
        wechat=WeChatSandbox(config, faults, recorder, store),
        weibo=WeiboSandbox(config, faults, recorder, store),
        wecom=WeComSandbox(config, faults, recorder, store),
        store=store,
    )


def create_sandbox_app(
    config: SandboxConfig | None = None, *, state: str | Path | None = None
) -> tuple[web.Application, Sandbox]:
    sandbox = create_sandbox(config, state=state)
    app = web.Application()
    app[SANDBOX_KEY] = sandbox
    app.add_subapp("/wechat", sandbox.wechat.app())
    app.add_subapp("/weibo", sandbox.weibo.app())
    app.add_subapp("/wecom", sandbox.wecom.app())
    app.add_routes(timeline_routes(sandbox))
    app.add_routes(back_office_routes(sandbox.wechat, sandbox.weibo))
    return app, sandbox
