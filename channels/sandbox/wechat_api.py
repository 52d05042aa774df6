"""A faithful fake of the WeChat OA endpoints the bot uses (mounted at ``.../wechat``).

Publishing is asynchronous as on the real platform: ``freepublish/get`` answers 1 until
``publish_delay`` has passed, then the outcome (4 when the article carries the reject marker or
a scripted status), and a ``PUBLISHJOBFINISH`` event goes to ``event_sink``. With a state file,
a job accepted before a restart finishes after it once its time has passed (at the next call of
that account, or when the timeline page is read).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from channels.sandbox.config import SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import SandboxStore
from channels.sandbox.platform import ACCOUNT, PAYLOAD, PlatformSandbox, SandboxError
from channels.sandbox.recorder import Recorder
from channels.sandbox.tokens import TokenIssuer
from channels.sandbox.wechat_comments import WeChatComments
from channels.sandbox.wechat_datacube import WeChatDatacube
from channels.sandbox.wechat_publish import WeChatPublishing
from channels.sandbox.wechat_state import CustomMessage, Job, WeChatState, dump, restore

log = logging.getLogger("channels.sandbox.wechat")
INVALID_MEDIA = 40007
#: WeChat's global return codes (不合法的文件类型 / 图片大小 / 缩略图大小); platforms.md §2.7 does
#: not list them, the official 全局返回码 table and the SDKs' constants do
INVALID_FILE_TYPE = 40005
INVALID_IMAGE_SIZE = 40009
INVALID_THUMB_SIZE = 40012
#: what each upload takes, by the format its bytes show (not the declared content type):
#: uploadimg JPG/PNG < 1 MB; image material JPG/PNG/GIF/BMP ≤ 10 MB; thumb JPG ≤ 64 KB
UPLOADIMG = (("JPEG", "PNG"), 1024 * 1024 - 1, INVALID_IMAGE_SIZE)
MATERIAL = {
    "image": (("JPEG", "PNG", "GIF", "BMP"), 10 * 1024 * 1024, INVALID_IMAGE_SIZE),
    "thumb": (("JPEG",), 64 * 1024, INVALID_THUMB_SIZE),
}
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp"}


def sniff(content: bytes) -> str | None:
    """The image format the bytes begin with, as the platform judges a file (not by its name)."""
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


class WeChatSandbox(PlatformSandbox):
    platform = "wechat"

    def __init__(
        self,
        config: SandboxConfig,
        faults: Faults,
        recorder: Recorder,
        store: SandboxStore | None = None,
    ) -> None:
        super().__init__(config, faults, recorder, store)
        self.tokens = TokenIssuer(config)
        self.accounts = {a.account_key: WeChatState(a) for a in config.wechat}
        self._by_appid = {s.account.appid: s for s in self.accounts.values()}
        self.media: dict[str, tuple[bytes, str]] = {}  # key → (bytes, content type)
        self._ids = self.load_ids(100000001)
        self.publishing = WeChatPublishing(self)
        self.comments = WeChatComments(self)
        self.datacube = WeChatDatacube(self)
        #: a reader comments under a published article (as ``weibo.add_comment``)
        self.add_comment = self.comments.add_comment
        #: jobs still open when the state was loaded: no timer runs for them in this process
        self._restored: dict[str, list[Job]] = {
            key: [j for j in self.accounts[key].jobs.values() if not j.done]
            for key in self.load_states(self.accounts, restore)
        }
        for media_key, content, content_type in self.store.media():
            self.media[media_key] = (content, content_type)

    def next_id(self, prefix: str = "") -> str:
        return f"{prefix}{self._ids.take()}"

    def documents(self, account: str | None) -> dict[str, dict[str, Any]]:
        return self.state_documents(self._ids, self.accounts, account, dump)

    def resume_due(self) -> None:
        """Finish the restored jobs whose time has passed (the process was down at their due)."""
        for key, jobs in self._restored.items():
            if jobs:
                self._resume(self.accounts[key], jobs)

    def _resume(self, state: WeChatState, jobs: list[Job]) -> None:
        now = self.now()
        for job in [j for j in jobs if j.due <= now or j.done]:
            jobs.remove(job)
            self.publishing.finish(state, job)

    # ---- helpers tests and simulators use -----------------------------------------------------

    def state(self, account_key: str) -> WeChatState:
        return self.accounts[account_key]

    def note_user_message(self, account_key: str, openid: str, at: datetime | None = None) -> None:
        """A follower wrote to the account: opens a fresh 48 h / 5-message service window."""
        ts = at.timestamp() if at is not None else self.now()
        self.accounts[account_key].cs_window[openid] = (ts, 0)
        self.save(account_key)

    def script_publish(self, account_key: str, *statuses: int) -> None:
        """The next publish jobs of this account end with these publish_status values."""
        self.accounts[account_key].scripted_outcomes.extend(statuses)
        self.save(account_key)

    def script_empty_comment_lists(self, account_key: str, n: int = 1) -> None:
        """The next ``n`` comment/list calls answer an empty page with the true total."""
        self.accounts[account_key].scripted_empty_lists += n
        self.save(account_key)

    def expire_tokens(self, account_key: str) -> None:
        self.tokens.expire(self.accounts[account_key].account.appid)

    # ---- plumbing ------------------------------------------------------------------------------

    def auth(self, request: web.Request) -> WeChatState:
        state = self._by_appid[self.tokens.owner_of(request.query.get("access_token"))]
        request[ACCOUNT] = state.account.account_key
        waiting = self._restored.get(state.account.account_key)
        if waiting:
            self._resume(state, waiting)
        return state

    async def _upload(self, request: web.Request, rule: tuple[tuple[str, ...], int, int]) -> str:
        formats, limit, size_code = rule
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            raise SandboxError(41005, "media data missing")
        content = media.file.read()
        kind = sniff(content)
        request[PAYLOAD] = {"filename": media.filename, "size": len(content), "format": kind}
        if kind is None or kind not in formats:
            raise SandboxError(INVALID_FILE_TYPE, "invalid file type")
        if len(content) > limit:
            raise SandboxError(size_code, "invalid image size")
        key = self.next_id("img")
        self.media[key] = (content, _CONTENT_TYPES[kind])
        self.store.put_media(key, content, _CONTENT_TYPES[kind])
        return key

    def media_url(self, key: str) -> str:
        return f"{self.config.public_url}/wechat/media/{key}"

    def routes(self) -> list[web.RouteDef]:
        cgi = "/cgi-bin/"
        pub = self.publishing
        return [
            web.post(cgi + "stable_token", self.stable_token),
            web.get(cgi + "token", self.classic_token),
            web.post(cgi + "media/uploadimg", self.uploadimg),
            web.post(cgi + "material/add_material", self.add_material),
            web.post(cgi + "draft/add", pub.draft_add),
            web.post(cgi + "freepublish/submit", pub.submit),
            web.post(cgi + "freepublish/get", pub.publish_get),
            web.post(cgi + "freepublish/batchget", pub.batchget),
            web.post(cgi + "freepublish/delete", pub.publish_delete),
            web.post(cgi + "message/mass/sendall", pub.mass_send),
            web.post(cgi + "message/mass/get", pub.mass_get),
            web.post(cgi + "message/mass/delete", pub.mass_delete),
            web.post(cgi + "message/custom/send", self.custom_send),
            *self.comments.routes(cgi),
            *self.datacube.routes(),
            web.get("/media/{key}", self.serve_media),
        ]

    # ---- tokens ------------------------------------------------------------------------------

    def _credentials(self, request: web.Request, appid: str, secret: str) -> WeChatState:
        state = self._by_appid.get(appid)
        if state is None:
            raise SandboxError(40013, "invalid appid")
        request[ACCOUNT] = state.account.account_key
        if secret != state.account.secret:
            raise SandboxError(40125, "invalid appsecret")
        return state

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await self.json_body(request)
        self._credentials(request, str(body.get("appid", "")), str(body.get("secret", "")))
        force = body.get("force_refresh") in (True, "true", 1)
        token, expires_in = self.tokens.issue(str(body["appid"]), force=force)
        return web.json_response({"access_token": token, "expires_in": expires_in})

    async def classic_token(self, request: web.Request) -> web.Response:
        """``/cgi-bin/token``: every call replaces the token (why the bot uses stable_token)."""
        q = request.query
        self._credentials(request, q.get("appid", ""), q.get("secret", ""))
        token, expires_in = self.tokens.issue(q["appid"], force=True)
        return web.json_response({"access_token": token, "expires_in": expires_in})

    # ---- media -------------------------------------------------------------------------------

    async def uploadimg(self, request: web.Request) -> web.Response:
        self.auth(request)
        key = await self._upload(request, UPLOADIMG)
        return web.json_response({"url": self.media_url(key)})

    async def add_material(self, request: web.Request) -> web.Response:
        state = self.auth(request)
        rule = MATERIAL.get(request.query.get("type", ""))
        if rule is None:
            raise SandboxError(40004, "invalid media type")
        key = await self._upload(request, rule)
        media_id = self.next_id("thumb")
        state.materials[media_id] = self.media_url(key)
        return web.json_response({"media_id": media_id, "url": self.media_url(key)})

    async def serve_media(self, request: web.Request) -> web.Response:
        content, content_type = self.media.get(request.match_info["key"], (b"", ""))
        if not content:
            raise web.HTTPNotFound()
        return web.Response(body=content, content_type=content_type)

    # ---- customer service ----------------------------------------------------------------------

    async def custom_send(self, request: web.Request) -> web.Response:
        state = self.auth(request)
        body = await self.json_body(request)
        openid = str(body.get("touser", ""))
        opened = state.cs_window.get(openid)
        now = self.now()
        if opened is None or now - opened[0] > self.config.cs_window:
            raise SandboxError(45015, "response out of time limit or subscription is canceled")
        if opened[1] >= self.config.cs_max_messages:
            raise SandboxError(45047, "out of response count limit")
        state.cs_window[openid] = (opened[0], opened[1] + 1)
        text = str((body.get("text") or {}).get("content", ""))
        state.sent.append(CustomMessage(openid, text, now))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    # ---- events ------------------------------------------------------------------------------

    def push_event(self, state: WeChatState, fields: dict[str, str]) -> None:
        sink = self.config.event_sink
        if sink is None:
            return
        event = {
            "ToUserName": state.gh_id,
            "FromUserName": "oSandboxPlatform",
            "CreateTime": str(int(self.now())),
            "MsgType": "event",
            **fields,
        }

        async def deliver() -> None:
            try:
                await sink(state.account.account_key, event)
            except Exception:
                log.exception("event sink failed for %s", fields.get("Event"))

        self.spawn(deliver())
