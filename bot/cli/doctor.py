"""``newmedia doctor``: check an installation and say what is wrong and how to fix it."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy

HELP = """\
检查本机的安装：设置文件、环境变量中的密钥、生产与演示、数据库连接与迁移版本、各平台接口能否
访问、时钟偏差、对外地址。每一项打印 ✓（通过）、!（警告）或 ✗（错误），有问题的项给出修复办法；
不显示任何密钥的值，不获取令牌，不发布任何内容。

退出码：0 = 全部通过；1 = 有错误；3 = 只有警告；2 = 命令行参数有误。"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "doctor",
        help="检查安装：设置、密钥、数据库、迁移、平台、时钟",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="数据库与每个平台的超时（秒，默认 5）",
    )
    parser.set_defaults(handler=lazy("doctor", "doctor"))
