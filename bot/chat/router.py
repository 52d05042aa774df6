"""From one chat message to one answer: identity → de-dup → parse → permission → dispatch → audit.

Every step that refuses says why, in Chinese. Every command — accepted, refused or failed — is
audited with who, what and the outcome; a repeated message (platform retry, double click) gets
the first answer back without acting again. Unknown senders get a refusal and an audit event only.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from bot.chat.guard import deny_reason
from bot.chat.ports import Audit, Caller, ChatBackend, ChatServices
from bot.chat.registry import Call, Command, ParseError, Registry
from bot.logs import redact
from review.errors import DomainError

log = logging.getLogger("newmedia.chat")

UNKNOWN_SENDER = "你的账号未登记为本系统工作人员，不能使用命令。如需开通，请联系管理员。"
IN_PROGRESS = "同一条命令正在处理，请稍候查看结果。"
FAILED = "处理命令时出错，已记录。请稍后重试或联系管理员。"


@dataclass(frozen=True)
class ChatInput:
    platform: str  # "wecom" | "wechat"
    sender: str  # WeCom userid or OA openid (never logged)
    text: str
    dedup_key: str


@dataclass(frozen=True)
class ChatAnswer:
    text: str
    outcome: str  # ok | refused | denied | invalid | error | repeat | unknown_sender
    command: str | None = None
    caller: Caller | None = None


def sender_ref(platform: str, sender: str) -> str:
    """WeCom userids are staff ids (kept); OA openids are hashed before they reach the audit."""
    if platform == "wecom":
        return f"wecom:{sender[:64]}"
    return f"{platform}:" + hashlib.sha256(sender.encode()).hexdigest()[:16]


def _subject(cmd: Command, args: dict[str, Any]) -> str:
    need = cmd.need
    for kind, name in (("task", need.task), ("message", need.message)):
        if name and name in args:
            return f"{kind}:{args[name]}"
    if need.publication and need.publication in args:
        return f"publication:{args[need.publication]}"
    return f"chat:{cmd.slash.lstrip('/')}"


def _safe_args(cmd: Command, args: dict[str, Any]) -> dict[str, Any]:
    """Ids and single words as typed; free text only by its length (it may quote a citizen)."""
    out: dict[str, Any] = {}
    for arg in cmd.args:
        value = args.get(arg.name)
        out[arg.name] = (
            len(value) if arg.kind in ("text", "line") and isinstance(value, str) else value
        )
    return out


class Router:
    def __init__(self, registry: Registry, backend: ChatBackend, services: ChatServices) -> None:
        self.registry = registry
        self.backend = backend
        self.services = services

    async def handle(self, msg: ChatInput) -> ChatAnswer:
        caller = await self.backend.identify(msg.platform, msg.sender)
        if caller is None:
            ref = sender_ref(msg.platform, msg.sender)
            await self.backend.audit(
                Audit(
                    "unknown", "chat.unknown_sender", f"identity:{ref}", {"length": len(msg.text)}
                )
            )
            log.info("chat command from an unknown %s sender refused", msg.platform)
            return ChatAnswer(UNKNOWN_SENDER, "unknown_sender")
        stored = await self.backend.begin(msg.dedup_key, caller, msg.text)
        if stored is not None:
            await self.backend.audit(
                Audit(
                    caller.key, "chat.repeat", f"chat:{msg.platform}", {"key": msg.dedup_key[:80]}
                )
            )
            return ChatAnswer(stored or IN_PROGRESS, "repeat", caller=caller)
        answer = await self._run(caller, msg.text)
        if answer.outcome == "ok":
            await self.backend.finish(msg.dedup_key, answer.text)
        else:  # nothing happened: a later identical click (say, after 认领) must run again
            await self.backend.forget(msg.dedup_key)
        return answer

    async def _run(self, caller: Caller, text: str) -> ChatAnswer:
        try:
            parsed = self.registry.parse(text)
        except ParseError as exc:
            name = exc.command.name if exc.command else None
            info: dict[str, Any] = {"command": name, "outcome": "invalid", "length": len(text)}
            await self.backend.audit(Audit(caller.key, "chat.command", "chat:parse", info))
            return ChatAnswer(exc.message, "invalid", name, caller)
        cmd, args = parsed.command, parsed.args
        subject = _subject(cmd, args)
        detail: dict[str, Any] = {"command": cmd.name, "args": _safe_args(cmd, args)}
        reason = await deny_reason(self.backend, caller, cmd, args)
        if reason is not None:
            answer = ChatAnswer(f"未执行：{reason}", "denied", cmd.name, caller)
            detail.update(outcome="denied", reason=reason)
        else:
            answer = await self._dispatch(caller, cmd, args)
            detail["outcome"] = answer.outcome
            if answer.outcome != "ok":
                # a refusal may quote what the personal-data check found: mask numbers first
                detail["reason"] = redact(answer.text[:200])
        await self.backend.audit(Audit(caller.key, "chat.command", subject, detail))
        return answer

    async def _dispatch(self, caller: Caller, cmd: Command, args: dict[str, Any]) -> ChatAnswer:
        call = Call(caller, args, self.services, self.registry)
        try:
            text = await cmd.func(call)
        except DomainError as exc:
            return ChatAnswer(f"未执行：{exc.message}", "refused", cmd.name, caller)
        except Exception:
            log.exception("chat command %s failed", cmd.slash)
            return ChatAnswer(FAILED, "error", cmd.name, caller)
        return ChatAnswer(text, "ok", cmd.name, caller)
