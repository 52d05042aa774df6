"""The audit log as staff read it: one home for the Chinese names of its action codes, subject
types and detail keys (pure). The stored codes stay English and stable (``audit list --json``,
the hash chain); every page that shows an event asks here.

Codes built at run time (``publication.<status>``, ``message.reply_<status>``,
``message.comment_<action>[_failed]``, ``message.<closed|dismissed>``) are named from the
status labels that already exist (review/states.py, review/answer_routes.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from review.answer_routes import REPLY_LABELS, ROUTE_LABELS
from review.checks.labels import check_label, verdict_label
from review.states import (
    DRAFT_LABELS,
    MESSAGE_LABELS,
    PUBLICATION_LABELS,
    DraftStatus,
    MessageStatus,
    PublicationStatus,
)
from review.timefmt import fmt
from review.wordings.policy import KINDS as WORDING_KINDS

ACTION_LABELS: dict[str, str] = {
    # drafts
    "draft.create": "新建稿件",
    "draft.edit": "修改稿件",
    "draft.mask": "去标识化",
    "draft.submit": "提交审核",
    "draft.override": "越过自动检查",
    "draft.scheduled": "审核通过并排期",
    "draft.reschedule": "改期",
    "draft.cancel_publication": "取消发布",
    "draft.correction": "起草更正",
    # review tasks
    "task.claim": "认领审核任务",
    "task.release": "释放审核任务",
    "task.approve": "审核通过",
    "task.reject": "驳回",
    "task.request_changes": "退回修改",
    "task.reassign": "改派审核任务",
    "task.lease_expired": "认领超时收回",
    # publications
    "publication.cancel": "取消发布",
    "publication.retract": "撤回",
    "publication.settle": "人工核定发布结果",
    "publication.late_receipt": "平台迟到回执",
    # citizens' messages
    "message.transferred": "转办留言",
    "message.answered": "已答复",
    "message.public_answer": "起草公开答复",
    "message.public_answer_stalled": "公开答复停滞",
    "message.overdue": "留言逾期",
    "message.reply_outside_window": "答复超出回复窗口",
    "message.interim_sent": "发送过渡答复",
    "message.interim_failed": "过渡答复发送失败",
    "message.public_notice_sent": "发送公开答复通知",
    "message.public_notice_failed": "公开答复通知发送失败",
    # the 口径 library
    "wording.create": "新建口径",
    "wording.edit": "修改口径",
    "wording.submit": "口径提交审核",
    "wording.approve": "口径审核通过",
    "wording.reject": "口径被驳回",
    "wording.import": "导入办事指南",
    # people, sign-in, chat
    "console.sign_in": "控制台登录",
    "console.sign_out": "控制台退出",
    "api.sign_in": "API 令牌登录",
    "token.issue": "签发令牌",
    "token.revoke": "吊销令牌",
    "chat.command": "聊天指令",
    "chat.repeat": "重复的聊天消息",
    "chat.unknown_sender": "未知发送人",
}

#: who acted, when it was not a person of the directory
ACTOR_LABELS = {"system": "系统", "unknown": "未知发送人", "anonymous": "未识别（令牌无效）"}

_COMMENT_ACTIONS = {"elect": "评论设为精选", "unelect": "评论取消精选", "delete": "删除评论"}

SUBJECT_LABELS: dict[str, str] = {
    "draft": "稿件",
    "task": "审核任务",
    "publication": "发布",
    "message": "留言",
    "wording": "口径",
    "person": "人员",
    "console": "控制台",
    "api": "API",
    "chat": "聊天",
    "identity": "聊天身份",
}

DETAIL_LABELS: dict[str, str] = {
    "draft": "稿件",
    "draft_id": "稿件",
    "revision": "版本",
    "from_revision": "原版本",
    "title": "标题",
    "kind": "类型",
    "accounts": "账号",
    "account": "账号",
    "stage": "环节",
    "note": "意见",
    "reason": "原因",
    "result": "结果",
    "outcome": "结果",
    "state": "状态",
    "address": "来源地址",
    "failures": "失败次数",
    "route": "答复方式",
    "reply_id": "答复记录",
    "error": "错误",
    "url": "链接",
    "remote_id": "平台编号",
    "publications": "发布",
    "due_at": "计划时间",
    "deadline": "答复期限",
    "from": "原处室",
    "to": "转至",
    "hash": "内容指纹",
    "changes": "改动",
    "version": "口径版本",
    "had_token": "原有令牌",
    "console_sessions_ended": "结束的控制台会话",
    "corrects_publication": "更正的发布",
    "gate": "自动检查",
    "checks": "检查项",
    "command": "指令",
    "length": "长度",
    "key": "消息键",
    "attempts": "尝试次数",
    "id": "编号",
    "account_id": "账号编号",
    "lease_until": "认领期限",
    "renewed": "续期",
    "took_over_from_person_id": "接手自（人员编号）",
    "next_task": "下一环节任务",
    "verdict": "检查结论",
    "blocking": "拦截项",
    "overridden": "已批准例外",
    "check": "检查项",
    "tasks": "生成的审核任务",
    "superseded": "作废的审核任务",
    "cancelled_publications": "取消的发布",
    "was": "原状态",
    "schedule": "发布时间",
    "status": "状态",
    "department": "处室",
    "topic": "主题",
    "person": "人员",
}

_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_CHECKS = ("blocking", "overridden", "check", "checks")


def _draft_status(value: str) -> str:
    return DRAFT_LABELS[DraftStatus(value)] if value in {s.value for s in DraftStatus} else value


#: a sign-in's outcome (bot/web/sign_in_checks.py, api_auth.py)
SIGN_IN_RESULTS = {
    "ok": "成功",
    "bad_token": "令牌无效",
    "inactive": "账号已停用",
    "limited": "失败过多，暂被限制",
    "origin": "非本服务页面发出，已拒绝",
    "csrf": "登录表单已过期，已拒绝",
}

#: how a key's coded value reads, where the code has a name
_VALUES: dict[str, Callable[[str], str]] = {
    "result": lambda v: SIGN_IN_RESULTS.get(v, v),
    "route": lambda v: ROUTE_LABELS.get(v, v),
    "verdict": verdict_label,
    "was": _draft_status,
    **{key: check_label for key in _CHECKS},
}


def action_label(code: str) -> str:
    """「撤回」 for ``publication.retract``; an unknown code is shown as it is."""
    known = ACTION_LABELS.get(code)
    if known is not None:
        return known
    area, _, rest = code.partition(".")
    if area == "publication" and rest in {s.value for s in PublicationStatus}:
        return f"发布结果：{PUBLICATION_LABELS[PublicationStatus(rest)]}"
    if area == "message":
        if rest in {s.value for s in MessageStatus}:
            return f"留言{MESSAGE_LABELS[MessageStatus(rest)]}"
        if rest.startswith("reply_"):
            return f"答复{REPLY_LABELS.get(rest[6:], rest[6:])}"
        if rest.startswith("comment_"):
            name, failed = rest[8:].removesuffix("_failed"), rest.endswith("_failed")
            label = _COMMENT_ACTIONS.get(name, name)
            return f"{label}（平台拒绝）" if failed else label
    return code


def subject_label(subject_type: str) -> str:
    return SUBJECT_LABELS.get(subject_type, subject_type)


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key, key)


def detail_value(key: str, value: Any) -> str:
    """One detail value as text: lists joined with 、, yes/no in Chinese, times in Beijing
    time, codes (routes, verdicts, checks, draft states) by their names."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(detail_value(key, v) for v in value) or "—"
    if isinstance(value, Mapping):
        return "；".join(
            f"{detail_label(str(k))} {detail_value(str(k), v)}" for k, v in value.items()
        )
    if isinstance(value, str):
        if _ISO_TIME.match(value):
            try:
                return fmt(datetime.fromisoformat(value))
            except ValueError:
                return value
        if key == "kind" and value in WORDING_KINDS:
            return WORDING_KINDS[value]
        named = _VALUES.get(key)
        return named(value) if named else value
    return json.dumps(value, ensure_ascii=False)


def readable_detail(detail: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) per key, in the stored order: what the console shows for an event."""
    return [(detail_label(str(k)), detail_value(str(k), v)) for k, v in (detail or {}).items()]
