"""Publishing actions staff trigger (chat, HTTP, CLI): retract a post, draft a correction.

Each returns a Chinese confirmation and raises ``review.errors.*`` for anything staff must fix.
The platform call runs between two short transactions, never inside one.
"""

from __future__ import annotations

import logging

from bot.services import Services
from channels.base import ChannelError, NotSent, NotSupported, Transient
from review.errors import Conflict
from review.presenters import submit_summary
from review.publishing import retraction
from review.submission import submit

log = logging.getLogger("newmedia.publishing")


async def retract(
    services: Services,
    publication_id: int,
    person_key: str,
    reason: str,
    *,
    correct_with: str = "发送「更正 {id}」",
) -> str:
    """Delete a live post on its platform, then record it. ``correct_with``: how the person
    asking drafts the correction where they are (chat by default; the CLI names its command)."""
    sessions = services.sessions
    async with sessions.begin() as session:
        plan = await retraction.prepare(session, publication_id, person_key, reason)
    channel = services.channels.get(plan.account_key)
    if channel is None:
        raise Conflict(f"账号 {plan.account_key} 未配置发布通道，请到平台后台手动删除")
    try:
        await channel.retract(plan.remote_id, index=plan.index)
    except NotSupported as exc:
        raise Conflict(f"该平台不支持通过接口撤回（{exc.message}），请到平台后台手动删除") from None
    except NotSent:
        hint = (
            "演示环境的模拟平台随 newmedia serve 运行：请先启动服务再撤回"
            if services.settings.demo
            else "请检查网络后重试"
        )
        raise Conflict(f"无法连接平台，撤回未完成（没有发出任何请求）：{hint}") from None
    except Transient:
        raise Conflict("平台暂时无法响应，撤回未完成，请稍后重试") from None
    except ChannelError as exc:
        raise Conflict(f"平台拒绝撤回：{exc.message}") from None
    async with sessions.begin() as session:
        await retraction.record(session, plan, reason)
    log.info("publication %d retracted by %s", publication_id, plan.person_key)
    return (
        f"已撤回发布记录 {publication_id}「{plan.title}」（{plan.account_key}）。"
        f"原因：{reason.strip()}。如需发布更正说明，请{correct_with.format(id=publication_id)}。"
    )


async def correct(
    services: Services, publication_id: int, person_key: str, correction: str = ""
) -> str:
    """Draft a correction notice and submit it to the account's review chain."""
    async with services.sessions.begin() as session:
        draft_id, rev, person = await retraction.draft_correction(
            session, publication_id, person_key, correction=correction
        )
        result = await submit(
            session,
            draft_id,
            person,
            safe_domains=services.safe_domains,
            limits=services.platform_limits,
        )
    drafted = f"已起草更正说明（稿件 {draft_id}「{rev.title}」）"
    if result.blocked:
        return f"{drafted}，但{submit_summary(result)}。请修改后重新提交。"
    return f"{drafted}并{submit_summary(result)}，审核通过后发布。"
