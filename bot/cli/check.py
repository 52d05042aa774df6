"""``newmedia check``: run the compliance gate on a draft file, or on JSON lines from stdin."""

from __future__ import annotations

import argparse

from bot.cli.lazy import lazy

#: the exit codes the help below promises
EXIT_OK = 0  # pass or warn
EXIT_ERROR = 1  # the input could not be read
EXIT_BLOCK = 3  # at least one check blocks (2 is the CLI's 'bad input')

HELP = """\
对稿件运行自动合规检查（职能相关性、个人信息、涉密标志、错敏词、平台限制、转载来源）。

  newmedia check 稿件.md [--account KEY ...] [--json]
  newmedia check --jsonl < 输入.jsonl > 结果.jsonl

稿件为 Markdown，可在开头用 +++ 行括起 TOML front matter（title、kind、source、author、
digest、cover）；没有 title 时以第一个“# ”标题为标题。不指定 --account 时按一个微信、
一个微博账号检查（取设置中的默认账号）。--jsonl 模式逐行读取 {"id","text","title"?,"kind"?}，
逐行输出结论，只做内容检查（不查平台限制，除非指定 --account）。

退出码：0 = 通过或仅有提示；3 = 有拦截项；1 = 输入无法读取；2 = 参数或设置有误。"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check",
        help="对稿件运行合规检查",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", help="稿件文件（Markdown）")
    parser.add_argument(
        "--account", action="append", default=[], metavar="KEY", help="发布账号（可多次）"
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument(
        "--jsonl", action="store_true", help="从标准输入逐行读取 JSON 并逐行输出结论"
    )
    parser.set_defaults(handler=lazy("check", "check"))
