"""The WeChat fake's publishing side: drafts, freepublish jobs, mass sends, deletions.

It works through the :class:`Host` it is given (``wechat_api.WeChatSandbox``: authentication,
ids, the clock, events), so the two modules do not import each other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any, Protocol

from aiohttp import web

from channels.sandbox.config import SandboxConfig
from channels.sandbox.platform import SandboxError
from channels.sandbox.wechat_state import Article, Job, Published, WeChatState

INVALID_MEDIA = 40007
INVALID_ARGS = 40097
MASS_STATUS = {0: "SEND_SUCCESS", 1: "SENDING"}
LIMITS = (("title", 32, 45003), ("author", 16, 45110), ("digest", 128, 45004))


def ok(**fields: Any) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok", **fields})


class Host(Protocol):
    """What publishing needs from the WeChat fake that owns it."""

    config: SandboxConfig

    def auth(self, request: web.Request) -> WeChatState: ...

    async def json_body(self, request: web.Request) -> dict[str, Any]: ...

    def next_id(self, prefix: str = "") -> str: ...

    def now(self) -> float: ...

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None: ...

    def push_event(self, state: WeChatState, fields: dict[str, str]) -> None: ...

    def save(self, account: str | None = None) -> None: ...


class WeChatPublishing:
    def __init__(self, sandbox: Host) -> None:
        self.sb = sandbox

    # ---- drafts and jobs ---------------------------------------------------------------------

    async def draft_add(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        articles = (await self.sb.json_body(request)).get("articles")
        if not isinstance(articles, list) or not articles:
            raise SandboxError(INVALID_ARGS, "invalid args: articles")
        for article in articles:
            for name, limit, code in LIMITS:
                if len(str(article.get(name) or "")) > limit:
                    raise SandboxError(code, f"{name} size out of limit")
            if not article.get("title"):
                raise SandboxError(44003, "empty news data")
            if len(str(article.get("content") or "")) >= 20_000:
                raise SandboxError(45002, "content size out of limit")
            if article.get("thumb_media_id") not in state.materials:
                raise SandboxError(INVALID_MEDIA, "invalid media_id: thumb_media_id")
        media_id = self.sb.next_id("draft")
        state.drafts[media_id] = articles
        return web.json_response({"media_id": media_id})

    def _new_job(self, state: WeChatState, kind: str, media_id: str) -> Job:
        articles = state.drafts.get(media_id)
        if articles is None:
            raise SandboxError(INVALID_MEDIA, "invalid media_id")
        marker = self.sb.config.reject_marker
        flagged = any(
            marker in str(a.get("content", "")) + str(a.get("title", "")) for a in articles
        )
        outcome = state.scripted_outcomes.popleft() if state.scripted_outcomes else 0
        job = Job(
            job_id=self.sb.next_id(),
            kind=kind,
            media_id=media_id,
            due=self.sb.now() + self.sb.config.publish_delay,
            outcome=4 if flagged else outcome,
            msg_data_id=self.sb.next_id(),
        )
        state.jobs[job.job_id] = job
        self.sb.spawn(self._finish_later(state, job))
        return job

    async def _finish_later(self, state: WeChatState, job: Job) -> None:
        await asyncio.sleep(self.sb.config.publish_delay)
        self.finish(state, job)

    def _due(self, state: WeChatState, job_id: str, kind: str) -> Job:
        job = state.jobs.get(job_id)
        if job is None or job.kind != kind:
            raise SandboxError(INVALID_ARGS, "invalid publish_id / msg_id")
        if not job.done and self.sb.now() >= job.due:
            self.finish(state, job)
        return job

    def finish(self, state: WeChatState, job: Job) -> None:
        """Settle a job once (timer or poll, whichever first) and push its event."""
        if job.done:
            return
        job.status = job.outcome
        url = ""
        if job.outcome == 0:
            post = self._publish(state, job)
            url = post.articles[0].url
        self.sb.save(state.account.account_key)  # a timer's finish is a change of its own
        if job.kind == "publish":
            fields = {"Event": "PUBLISHJOBFINISH", "publish_id": job.job_id}
            fields |= {"publish_status": str(job.status), "article_id": job.article_id or ""}
            self.sb.push_event(state, fields | {"article_url": url})
        else:
            status = "send success" if job.outcome == 0 else "err(30001)"
            self.sb.push_event(
                state, {"Event": "MASSSENDJOBFINISH", "MsgID": job.job_id, "Status": status}
            )

    def _publish(self, state: WeChatState, job: Job) -> Published:
        article_id = self.sb.next_id("art")
        articles = [
            Article(
                index=i,
                title=str(a.get("title", "")),
                author=str(a.get("author", "")),
                digest=str(a.get("digest", "")),
                content=str(a.get("content", "")),
                content_source_url=str(a.get("content_source_url", "")),
                cover_url=state.materials.get(str(a.get("thumb_media_id")), ""),
                url=f"{self.sb.config.public_url}/timeline#wx-{article_id}-{i}",
                comments_open=bool(int(a.get("need_open_comment") or 0)),
                only_fans_can_comment=bool(int(a.get("only_fans_can_comment") or 0)),
            )
            for i, a in enumerate(state.drafts[job.media_id], start=1)
        ]
        via = "freepublish" if job.kind == "publish" else "mass"
        post = Published(article_id, articles, self.sb.now(), via, job.job_id, job.msg_data_id)
        job.article_id = article_id
        state.timeline.append(post)
        state.by_article[article_id] = post
        if via == "freepublish":
            state.free.append(post)
        return post

    # ---- freepublish -------------------------------------------------------------------------

    async def submit(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        job = self._new_job(
            state, "publish", str((await self.sb.json_body(request)).get("media_id"))
        )
        return ok(publish_id=job.job_id, msg_data_id=job.msg_data_id)

    async def publish_get(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        job = self._due(state, str((await self.sb.json_body(request)).get("publish_id")), "publish")
        body: dict[str, Any] = {"publish_id": job.job_id, "publish_status": job.status}
        if job.done and job.outcome == 0 and job.article_id:
            post = state.by_article[job.article_id]
            body["publish_status"] = 5 if post.all_deleted else 0
            body["article_id"] = job.article_id
            items = [{"idx": a.index, "article_url": a.url} for a in post.articles]
            body["article_detail"] = {"count": len(items), "item": items}
            body["fail_idx"] = []
        elif job.done:
            body["fail_idx"] = [1]
        return web.json_response(body)

    async def batchget(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        body = await self.sb.json_body(request)
        offset, count = int(body.get("offset", 0)), int(body.get("count", 0))
        if offset < 0 or not 1 <= count <= 20:
            raise SandboxError(INVALID_ARGS, "invalid args: offset/count")
        with_content = int(body.get("no_content", 0)) == 0
        total = len(state.free)
        window = state.free[max(0, total - offset - count) : max(0, total - offset)]
        items = [
            {
                "article_id": post.article_id,
                "content": {
                    "news_item": [news_item(a, with_content) for a in post.articles],
                    "create_time": int(post.published_at),
                    "update_time": int(post.published_at),
                },
                "update_time": int(post.published_at),
            }
            for post in reversed(window)
        ]
        return web.json_response({"total_count": total, "item_count": len(items), "item": items})

    async def publish_delete(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        body = await self.sb.json_body(request)
        post = state.by_article.get(str(body.get("article_id")))
        if post is None or post.via != "freepublish":
            raise SandboxError(INVALID_ARGS, "invalid article_id")
        self._delete(post, int(body.get("index") or 0))
        return ok()

    @staticmethod
    def _delete(post: Published, index: int) -> None:
        """Index 0 (or absent) deletes every article of the post, as on the real platform."""
        if index > len(post.articles) or index < 0:
            raise SandboxError(INVALID_ARGS, "invalid args: index")
        for article in post.articles:
            if index == 0 or article.index == index:
                article.deleted = True

    # ---- mass send ---------------------------------------------------------------------------

    async def mass_send(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        body = await self.sb.json_body(request)
        client_id = str(body.get("clientmsgid") or "")
        if client_id and client_id in state.mass_by_client:
            existing = state.mass_by_client[client_id]
            raise SandboxError(45065, "clientmsgid exist", extra={"msg_id": existing})
        if not (body.get("filter") or {}).get("is_to_all") and "touser" not in body:
            raise SandboxError(INVALID_ARGS, "invalid args: filter")
        day = time.strftime("%Y-%m-%d", time.gmtime(self.sb.now() + 8 * 3600))
        if state.mass_per_day.get(day, 0) >= self.sb.config.mass_quota_per_day:
            raise SandboxError(45009, "reach max api daily quota limit")
        job = self._new_job(state, "mass", str((body.get("mpnews") or {}).get("media_id")))
        state.mass_per_day[day] = state.mass_per_day.get(day, 0) + 1
        if client_id:
            state.mass_by_client[client_id] = job.job_id
        return ok(
            errmsg="send job submission success", msg_id=job.job_id, msg_data_id=job.msg_data_id
        )

    async def mass_get(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        job = self._due(state, str((await self.sb.json_body(request)).get("msg_id")), "mass")
        status = MASS_STATUS.get(job.status, "SEND_FAIL")
        if job.article_id and state.by_article[job.article_id].all_deleted:
            status = "DELETE"
        return web.json_response({"msg_id": job.job_id, "msg_status": status})

    async def mass_delete(self, request: web.Request) -> web.Response:
        state = self.sb.auth(request)
        body = await self.sb.json_body(request)
        job = self._due(state, str(body.get("msg_id")), "mass")
        if not job.article_id:
            raise SandboxError(INVALID_ARGS, "invalid msg_id")
        self._delete(state.by_article[job.article_id], int(body.get("article_idx") or 0))
        return ok()


def news_item(article: Article, content: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "title": article.title,
        "author": article.author,
        "digest": article.digest,
        "content_source_url": article.content_source_url,
        "url": article.url,
        "is_deleted": article.deleted,
    }
    if content:
        item["content"] = article.content
    return item
