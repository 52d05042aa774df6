"""``newmedia sandbox seed --days 120``: a realistic history in the demo database, for the
reports, the console and tests (``review.sandbox_history`` plans it, the store writes it)."""

from __future__ import annotations

import argparse
from datetime import datetime
from random import Random

from sqlalchemy import select

from bot.cli.actions.common import open_services
from bot.cli.actions.runner import CliError
from review.models import Account, Department
from review.sandbox_history import AccountInfo, DepartmentInfo, plan
from review.store import sandbox_history as store
from review.timefmt import parse_local
from review.workdays import add_working_days, parse_dates


async def seed(args: argparse.Namespace) -> int:
    if args.days < 7 or args.days > 730:
        raise CliError("--days 应在 7 到 730 之间")
    async with open_services(args) as services:
        settings = services.settings
        if not settings.demo:
            raise CliError("演示历史只能写入演示环境（settings.toml 的 [sandbox] enabled = true）")
        try:
            as_of = parse_local(args.as_of) if args.as_of else services.clock()
        except ValueError as exc:
            raise CliError(str(exc)) from None
        cal = settings.file.calendar
        holidays, workdays = parse_dates(cal.extra_holidays), parse_dates(cal.extra_workdays)
        days = settings.file.inbox.default_deadline_days

        def deadline(received: datetime) -> datetime:
            return add_working_days(received, days, holidays, workdays)[0]

        async with services.sessions.begin() as session:
            if await store.seeded(session):
                raise CliError("数据库中已有演示历史（newmedia sandbox seed 只能运行一次）")
            accounts = [
                AccountInfo(a.key, a.id, a.platform, a.owner_department_id)
                for a in (await session.scalars(select(Account).order_by(Account.id))).all()
            ]
            departments = [
                DepartmentInfo(d.id, tuple(d.topics.split()))
                for d in (await session.scalars(select(Department).order_by(Department.id))).all()
            ]
            if not accounts:
                raise CliError("settings.toml 中没有账号，无法生成历史")
            history = plan(Random(args.seed), as_of, args.days, accounts, departments, deadline)
            counts = await store.write(session, history, as_of)
    print(
        f"已生成 {args.days} 天的演示历史：稿件 {counts['posts']} 篇（其中曾被拦截 "
        f"{counts['blocked']} 篇、发布失败 {counts['failed']} 篇），后台直接发布 "
        f"{counts['back_office']} 篇，留言 {counts['messages']} 条（超期答复 {counts['late']} 条）。"
    )
    print("查看：newmedia report inspection、newmedia report annual、newmedia report digest")
    return 0
