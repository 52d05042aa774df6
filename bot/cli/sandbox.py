"""``newmedia sandbox follower ACCOUNT "text"``: be a citizen writing to the running service;
``newmedia sandbox comment ACCOUNT MSG_DATA_ID "text"``: a reader commenting on an article;
``newmedia sandbox seed --days 120``: a realistic history for demos and tests."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
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
    c = actions.add_parser(
        "comment", help="以读者身份在已发布的公众号文章下留言（文章须已开启留言）"
    )
    c.add_argument(
        "publication",
        type=record_id,
        help="发布号（newmedia publications list 的编号，公众号文章）",
    )
    c.add_argument("text", help="留言内容")
    c.add_argument("--openid", default="o_sandbox_citizen_1")
    c.add_argument("--url", help="服务地址（默认 settings 的 service.public_url）")
    c.set_defaults(handler=lazy("sandbox", "comment"))
    seed = actions.add_parser(
        "seed", help="在演示数据库中生成一段真实感的历史（发布、拦截、留言、统计），只能运行一次"
    )
    seed.add_argument("--days", type=int, default=120, help="天数（默认 120）")
    seed.add_argument("--seed", type=int, default=17, help="随机种子：同一种子生成同样的历史")
    seed.add_argument("--as-of", dest="as_of", help="历史截止时间（北京时间，默认现在）")
    seed.set_defaults(handler=lazy("sandbox_seed", "seed"))
