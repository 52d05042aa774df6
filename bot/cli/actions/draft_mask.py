"""``newmedia draft mask N``: the gate's "apply the masking" suggestion in one step.

Loads the gate's lexicons and jieba (like ``edit``), so it lives apart from ``draft``."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.draft import acting_person, author_key
from bot.config.lists import command_lists
from review.deid_drafts import mask_draft

FIELD_NAMES = {"title": "标题", "digest": "摘要", "body": "正文"}


async def mask(args: argparse.Namespace) -> int:
    async with open_services(args) as services, command_lists(services.settings):
        async with services.sessions.begin() as session:
            editor = await person_arg(
                session, acting_person(args), default=await author_key(session, args.id)
            )
            out = await mask_draft(
                session, editor, args.id,
                safe_domains=services.safe_domains, limits=services.platform_limits,
            )  # fmt: skip
    if out.revision is None:
        print(f"稿件 {args.id} 未发现需要去标识化的个人信息，未生成新版本")
        return 0
    print(
        f"稿件 {out.draft.id} 已去标识化，保存为第 {out.revision.number} 版，共 {len(out.changes)} 处："
    )
    for field, before, after in out.changes:
        print(f"  {FIELD_NAMES.get(field, field)}：{before} → {after or '（删去）'}")
    if out.review_restarted:
        print("稿件已在审核中或已通过：修改后审核流程已重新开始（先审后发）")
    return 0
