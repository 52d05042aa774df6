"""``newmedia sandbox follower ACCOUNT "text"``: be a citizen. Sends a correctly signed (and, in
the account's mode, encrypted) message to the RUNNING service, as WeChat's servers would, and
prints the passive reply the citizen would see."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import CliError, settings_from
from channels.sandbox.follower import Follower


async def _follower(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    account = settings.accounts.get(args.account)
    if account is None or account.platform != "wechat":
        known = "、".join(k for k, a in settings.accounts.items() if a.platform == "wechat")
        raise CliError(f"未知的公众号「{args.account}」（可选：{known}）")
    secrets = settings.secrets[args.account]
    url = args.url or settings.file.service.public_url
    follower = Follower(
        url, args.account, secrets.token, secrets.aes_key or None, account.app_id,
        mode=account.callback_mode, openid=args.openid,
    )  # fmt: skip
    try:
        if args.event:
            reply = await follower.send_event(args.event)
        else:
            reply = await follower.send_text(args.text)
    except OSError as exc:
        raise CliError(f"无法连接 {url}（服务是否已用 newmedia serve 启动？）：{exc}") from None
    if reply.status != 200:
        raise CliError(f"服务返回 {reply.status}：{reply.body.decode('utf-8', 'replace')[:200]}")
    print(reply.text if reply.text is not None else "（无回复内容：success）")
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_follower(args))


def register(sub: Any) -> None:
    p = sub.add_parser("sandbox", help="演示环境：模拟网民等")
    actions = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    f = actions.add_parser(
        "follower", help="以关注者身份向公众号发消息（经签名和加密），显示被动回复"
    )
    f.add_argument("account", help="公众号 key，例如 ccmz_wechat")
    f.add_argument("text", nargs="?", default="", help="留言内容")
    f.add_argument("--openid", default="o_sandbox_citizen_1")
    f.add_argument("--event", help="改为发送事件，例如 subscribe")
    f.add_argument("--url", help="服务地址（默认 settings 的 service.public_url）")
    f.set_defaults(handler=run)
