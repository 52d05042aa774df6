"""``newmedia draft edit|submit``: the draft commands that run the compliance gate — ``submit``,
and ``edit``, which resubmits a draft already in review. Apart from ``draft``, whose listing and
``new`` start without loading the gate and its jieba dictionary."""

from __future__ import annotations

import argparse
from dataclasses import replace

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.draft import acting_person, author_key, draft_input, read_draft_file
from bot.config.lists import command_lists
from review.drafts import edit_note
from review.presenters import submit_text
from review.queue import edit as edit_draft
from review.queue import submit as submit_draft
from review.store import drafts as store


async def edit(args: argparse.Namespace) -> int:
    meta, body = read_draft_file(args.file)
    inp = draft_input(args, meta, body)
    async with open_services(args) as services, command_lists(services.settings):
        async with services.sessions.begin() as session:
            editor = await person_arg(
                session, acting_person(args), default=await author_key(session, args.id)
            )
            if not inp.accounts:
                targets = await store.target_accounts(session, args.id)
                inp = replace(inp, accounts=[a.key for a in targets])
            inp = await services.prepare_draft(inp)
            # one transaction: an edit whose review cannot restart is not saved either
            draft, rev, restarted = await edit_draft(
                session, editor, args.id, inp,
                safe_domains=services.safe_domains, limits=services.platform_limits,
            )  # fmt: skip
            note = await edit_note(session, draft.id, rev)
    print(f"稿件 {draft.id} 已保存为第 {rev.number} 版；{note}")
    if restarted:
        print("稿件已在审核中或已通过：修改后审核流程已重新开始（先审后发）")
    return 0


async def submit(args: argparse.Namespace) -> int:
    async with open_services(args) as services, command_lists(services.settings):
        async with services.sessions.begin() as session:
            actor = await person_arg(
                session, acting_person(args), default=await author_key(session, args.id)
            )
            result = await submit_draft(
                session,
                args.id,
                actor,
                safe_domains=services.safe_domains,
                limits=services.platform_limits,
            )
    print(submit_text(result))
    if result.blocked:
        if "personal_data" in result.blocking:
            print(f"个人信息可一步去标识化：newmedia draft mask {args.id} --as {actor.key}")
        print(
            f"修改后：newmedia draft edit {args.id} 稿件.md --as {actor.key}，再提交；"
            "惩戒性公示可由处室负责人 override"
        )
        return 3
    return 0
