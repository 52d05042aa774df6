"""``newmedia chat --as PERSON "通过 12"``: one chat command through the running service's real
WeCom callback — signed and encrypted exactly as the person's phone would send it.

Without a text it opens a prompt (one command a line; 退出 or Ctrl-D ends it). The person's WeCom
userid comes from settings.toml, so what the bot answers is what that person would see.
"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp

from bot.cli.actions.runner import CliError, settings_from
from bot.config.load import Settings
from channels.sandbox.phone import PhoneReply, ReviewerPhone

QUIT = {"退出", "exit", "quit", "q"}
PUSHED = "（已受理，处理较慢：结果将通过企业微信消息发送）"


def phone_for(settings: Settings, who: str, url: str | None, app_key: str | None) -> ReviewerPhone:
    person = next((p for p in settings.people.values() if who in (p.key, p.name)), None)
    if person is None:
        raise CliError(f"未知的人员「{who}」（settings.toml 中 [[people]] 的 key 或姓名）")
    if not person.wecom:
        raise CliError(f"{person.name} 没有登记企业微信账号（settings.toml 的 wecom）")
    if not settings.wecom_apps:
        raise CliError("settings.toml 没有配置企业微信应用（[[wecom_apps]]）")
    key = app_key or next(iter(settings.wecom_apps))
    if key not in settings.wecom_apps:
        raise CliError(f"未知的企业微信应用「{key}」")
    cfg, secrets = settings.wecom_apps[key], settings.secrets[key]
    base = url or settings.file.service.public_url
    return ReviewerPhone(
        base, key, secrets.token, secrets.aes_key, cfg.corp_id, cfg.agent_id, person.wecom
    )


def shown(reply: PhoneReply) -> str:
    if reply.status != 200:
        raise CliError(
            f"服务拒绝了这条消息（HTTP {reply.status}）：{reply.body.decode(errors='replace')}"
        )
    return reply.text if reply.text is not None else PUSHED


async def _send(phone: ReviewerPhone, text: str) -> str:
    try:
        async with aiohttp.ClientSession() as session:
            phone.session = session
            return shown(await phone.send_text(text))
    except aiohttp.ClientConnectionError:
        raise CliError(
            f"无法连接 {phone.url}：请先运行 newmedia serve（或用 --url 指定地址）"
        ) from None


def _interactive(phone: ReviewerPhone) -> int:
    print(f"以 {phone.userid} 的身份向 {phone.url} 发送命令；输入「帮助」查看命令，「退出」结束。")
    while True:
        try:
            line = input("命令> ").strip()
        except EOFError:
            print()
            return 0
        if not line:
            continue
        if line in QUIT:
            return 0
        try:
            print(asyncio.run(_send(phone, line)))
        except CliError as exc:
            print(f"错误：{exc}")


def chat(args: argparse.Namespace) -> int:
    settings = settings_from(args, for_service=True)  # it signs as WeCom does
    phone = phone_for(settings, args.as_person, args.url, args.app)
    if args.text:
        print(asyncio.run(_send(phone, " ".join(args.text))))
        return 0
    return _interactive(phone)
