"""``newmedia sandbox follower ACCOUNT "text"``: be a citizen. Sends a correctly signed (and, in
the account's mode, encrypted) message to the RUNNING service, as WeChat's servers would, and
prints the passive reply the citizen would see."""

from __future__ import annotations

import argparse

from bot.cli.actions.runner import CliError, settings_from
from channels.sandbox.follower import Follower


async def follower(args: argparse.Namespace) -> int:
    settings = settings_from(args, for_service=True)  # it signs as WeChat does
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
