"""``newmedia sandbox follower ACCOUNT "text"``: be a citizen writing to the running service."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    f.set_defaults(handler=lazy("sandbox", "follower"))
