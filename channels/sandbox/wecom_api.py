"""A fake of the WeCom app-message endpoints (mounted at ``.../wecom``).

It keeps what each reviewer received, so the timeline page can show a reviewer's phone and the
reviewer-phone simulator can "click" a card button (``click`` gives it the event fields).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from channels.sandbox.config import SandboxConfig
from channels.sandbox.faults import Faults
from channels.sandbox.persistence import SandboxStore
from channels.sandbox.platform import ACCOUNT, PlatformSandbox, SandboxError
from channels.sandbox.recorder import Recorder
from channels.sandbox.tokens import TokenIssuer
from channels.sandbox.wecom_state import WeComMessage, WeComState, dump, restore

__all__ = ["WeComMessage", "WeComSandbox", "WeComState"]

ALL_INVALID = 81013
INVALID_ARGS = 40058
CARD_TYPES = {
    "text_notice",
    "news_notice",
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
}
INTERACTIVE = {"button_interaction", "vote_interaction", "multiple_interaction"}


class WeComSandbox(PlatformSandbox):
    platform = "wecom"

    def __init__(
        self,
        config: SandboxConfig,
        faults: Faults,
        recorder: Recorder,
        store: SandboxStore | None = None,
    ) -> None:
        super().__init__(config, faults, recorder, store)
        self.tokens = TokenIssuer(config)
        self.corps = {c.corpid: WeComState(c) for c in config.wecom}
        self._ids = self.load_ids(1)
        self.load_states(self.corps, restore)

    def documents(self, account: str | None) -> dict[str, dict[str, Any]]:
        return self.state_documents(self._ids, self.corps, account, dump)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/cgi-bin/gettoken", self.gettoken),
            web.post("/cgi-bin/message/send", self.send),
            web.post("/cgi-bin/message/update_template_card", self.update_card),
        ]

    # ---- helpers tests and simulators use -----------------------------------------------------

    def state(self, corpid: str) -> WeComState:
        return self.corps[corpid]

    def messages_to(self, corpid: str, userid: str) -> list[WeComMessage]:
        return self.corps[corpid].inbox.get(userid, [])

    def click(self, corpid: str, userid: str, task_id: str, key: str) -> dict[str, str]:
        """A reviewer taps a card button: the ``template_card_event`` fields, with a fresh
        ResponseCode the service may use once for ``update_template_card``."""
        state = self.corps[corpid]
        if task_id not in state.cards:
            raise KeyError(task_id)
        code = self._response_code(state, task_id)
        self.save(corpid)
        return {
            "ToUserName": corpid,
            "FromUserName": userid,
            "CreateTime": str(int(self.now())),
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": key,
            "TaskId": task_id,
            "CardType": "button_interaction",
            "ResponseCode": code,
            "AgentID": str(state.corp.agentid),
        }

    def expire_tokens(self, corpid: str) -> None:
        self.tokens.expire(corpid)

    # ---- handlers ----------------------------------------------------------------------------

    def _auth(self, request: web.Request) -> WeComState:
        state = self.corps[self.tokens.owner_of(request.query.get("access_token"))]
        request[ACCOUNT] = state.corp.corpid
        return state

    def _response_code(self, state: WeComState, task_id: str) -> str:
        code = secrets.token_urlsafe(16)
        state.response_codes[code] = task_id
        return code

    async def gettoken(self, request: web.Request) -> web.Response:
        state = self.corps.get(request.query.get("corpid", ""))
        if state is None:
            raise SandboxError(40013, "invalid corpid")
        request[ACCOUNT] = state.corp.corpid
        if request.query.get("corpsecret") != state.corp.corpsecret:
            raise SandboxError(40001, "invalid credential")
        token, expires_in = self.tokens.issue(state.corp.corpid)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in}
        )

    async def send(self, request: web.Request) -> web.Response:
        state = self._auth(request)
        body = await self.json_body(request)
        if int(body.get("agentid") or 0) != state.corp.agentid:
            raise SandboxError(40056, "invalid agentid")
        msgtype = str(body.get("msgtype", ""))
        content = body.get(msgtype)
        if msgtype not in ("text", "markdown", "template_card") or not isinstance(content, dict):
            raise SandboxError(40008, "invalid message type")
        task_id = self._check_card(state, content) if msgtype == "template_card" else ""
        wanted = [u for u in str(body.get("touser", "")).split("|") if u]
        valid = [u for u in wanted if u in state.corp.userids]
        if not valid:
            raise SandboxError(ALL_INVALID, "all touser invalid")
        msgid = f"msg{self._ids.take()}"
        for userid in valid:
            message = WeComMessage(msgid, userid, msgtype, content, self.now())
            state.inbox.setdefault(userid, []).append(message)
            if task_id:
                state.cards.setdefault(task_id, []).append(message)
        reply: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        reply["invaliduser"] = "|".join(u for u in wanted if u not in valid)
        if task_id and content.get("card_type") in INTERACTIVE:
            reply["response_code"] = self._response_code(state, task_id)
        return web.json_response(reply)

    def _check_card(self, state: WeComState, card: dict[str, Any]) -> str:
        card_type = card.get("card_type")
        if card_type not in CARD_TYPES:
            raise SandboxError(INVALID_ARGS, "invalid card_type")
        task_id = str(card.get("task_id") or "")
        if card_type in INTERACTIVE and not task_id:
            raise SandboxError(INVALID_ARGS, "task_id required")
        if task_id in state.cards:
            raise SandboxError(INVALID_ARGS, "task_id exists")
        if card_type == "button_interaction":
            buttons = card.get("button_list")
            if (
                not isinstance(buttons, list)
                or not buttons
                or not all(b.get("key") for b in buttons)
            ):
                raise SandboxError(INVALID_ARGS, "button_list requires key")
        return task_id

    async def update_card(self, request: web.Request) -> web.Response:
        state = self._auth(request)
        body = await self.json_body(request)
        task_id = state.response_codes.pop(str(body.get("response_code", "")), None)
        if task_id is None:
            raise SandboxError(INVALID_ARGS, "invalid response_code")
        userids = set(body.get("userids") or ())
        replace = str((body.get("button") or {}).get("replace_name", ""))
        new_card = body.get("template_card")
        for message in state.cards.get(task_id, []):
            if userids and message.userid not in userids:
                continue
            if replace:
                message.replaced_name = replace
            if isinstance(new_card, dict):
                message.body = new_card
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})
