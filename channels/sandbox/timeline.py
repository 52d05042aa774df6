"""A read-only page: each sandbox account as its followers see it, and each reviewer's phone.

Rendered with Jinja2 directly (no aiohttp-jinja2 setup needed wherever the sandbox is mounted).
Article bodies are shown inside ``<iframe sandbox srcdoc>``: the HTML came from a client, and a
sandboxed frame cannot run script even if a bug let some through.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import jinja2
from aiohttp import web

import templates
from channels.sandbox.wechat_api import WeChatSandbox
from channels.sandbox.wecom_api import WeComSandbox
from channels.sandbox.weibo_api import WeiboSandbox

_env = templates.environment(
    "web",
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Fakes(Protocol):
    """What the page reads: the three fake platforms (``app.Sandbox`` holds them)."""

    @property
    def wechat(self) -> WeChatSandbox: ...

    @property
    def weibo(self) -> WeiboSandbox: ...

    @property
    def wecom(self) -> WeComSandbox: ...


def beijing(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + 8 * 3600))


def _wechat(sandbox: Fakes, limit: int) -> list[dict[str, Any]]:
    accounts = []
    for state in sandbox.wechat.accounts.values():
        comments: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for c in state.comments[-limit * 5 :]:
            comments.setdefault((c.msg_data_id, c.index), []).append(
                {
                    "text": c.content,
                    "at": beijing(c.create_time),
                    "elected": c.elected,
                    "deleted": c.deleted,
                    "reply": c.reply,
                }
            )
        posts = [
            {
                "article_id": post.article_id,
                "via": "群发" if post.via == "mass" else "发布",
                "at": beijing(post.published_at),
                "articles": post.articles,
                "msg_data_id": post.msg_data_id,
                "comments": {
                    a.index: comments.get((post.msg_data_id, a.index), []) for a in post.articles
                },
            }
            for post in reversed(state.timeline[-limit:])
        ]
        sent = [
            {"openid": m.openid, "text": m.text, "at": beijing(m.at)} for m in state.sent[-limit:]
        ]
        accounts.append(
            {
                "name": state.account.name or state.account.account_key,
                "key": state.account.account_key,
                "total": len(state.timeline),
                "posts": posts,
                "sent": list(reversed(sent)),
            }
        )
    return accounts


def _weibo(sandbox: Fakes, limit: int) -> list[dict[str, Any]]:
    accounts = []
    for state in sandbox.weibo.accounts.values():
        comments: dict[int, list[Any]] = {}
        recent = state.comments[-limit * 5 :] + state.mention_comments[-limit * 5 :]
        for comment in {c.id: c for c in recent + state.replies[-limit * 5 :]}.values():
            comments.setdefault(comment.status_id, []).append(comment)

        uid = state.account.uid
        # citizens' statuses that @mention the account, or carry a comment that does
        mentions = [
            {
                "id": o.id,
                "user": o.user_name,
                "text": o.text,
                "at": beijing(o.created_at),
                "comments": _shown(comments.get(o.id, []), uid),
            }
            for o in reversed(state.others[-limit:])
        ]
        statuses = [
            {
                "id": s.id,
                "text": s.text,
                "at": beijing(s.created_at),
                "deleted": s.deleted,
                "comments": _shown(comments.get(s.id, []), uid),
            }
            for s in reversed(state.statuses[-limit:])
        ]
        accounts.append(
            {
                "name": state.account.name or state.account.account_key,
                "key": state.account.account_key,
                "total": len(state.statuses),
                "statuses": statuses,
                "mentions": mentions,
            }
        )
    return accounts


def _shown(comments: list[Any], uid: str) -> list[dict[str, Any]]:
    """A status's comments, oldest first; the account's own are its replies."""
    return [
        {
            "user": c.user_name,
            "text": c.text,
            "at": beijing(c.created_at),
            "reply": c.user_id == uid,
        }
        for c in sorted(comments, key=lambda c: c.id)
    ]


def _wecom(sandbox: Fakes, limit: int) -> list[dict[str, Any]]:
    corps = []
    for state in sandbox.wecom.corps.values():
        people = []
        for userid, inbox in state.inbox.items():
            messages = []
            for m in reversed(inbox[-limit:]):
                card = m.body if m.msgtype == "template_card" else {}
                messages.append(
                    {
                        "type": m.msgtype,
                        "at": beijing(m.at),
                        "text": str(m.body.get("content", "")),
                        "title": str((card.get("main_title") or {}).get("title", "")),
                        "desc": str((card.get("main_title") or {}).get("desc", "")),
                        "buttons": [str(b.get("text", "")) for b in card.get("button_list") or ()],
                        "replaced": m.replaced_name,
                    }
                )
            people.append({"userid": userid, "messages": messages})
        corps.append({"name": state.corp.name or state.corp.corpid, "people": people})
    return corps


def timeline_routes(sandbox: Fakes) -> list[web.RouteDef]:
    async def page(request: web.Request) -> web.Response:
        try:
            limit = max(1, min(int(request.query.get("n", "50")), 500))
        except ValueError:
            limit = 50
        sandbox.wechat.resume_due()  # a publish accepted before a restart, due by now
        html = _env.get_template("sandbox_timeline.html").render(
            wechat=_wechat(sandbox, limit),
            weibo=_weibo(sandbox, limit),
            wecom=_wecom(sandbox, limit),
            limit=limit,
            generated=beijing(time.time()),
        )
        return web.Response(text=html, content_type="text/html")

    return [web.get("/timeline", page)]
