"""``newmedia wording``: the 口径 library — approved answer wordings and the 办事指南
auto-answers (list, search, show, new, edit, submit, approve, reject, import-guide)."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
from bot.cli.lazy import lazy

KIND_CHOICES = ("口径", "办事指南")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("wording", help="口径库：审定的答复口径与办事指南")
    actions = p.add_subparsers(dest="wording_command", metavar="ACTION", required=True)

    def add(
        name: str, function: str, help_text: str, *, person: bool = True
    ) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text)
        if person:
            a.add_argument(
                "--as", dest="as_person", metavar="PERSON", help="操作人（人员 key 或姓名）"
            )
        a.set_defaults(handler=lazy("wording", function))
        return a

    def text_args(a: argparse.ArgumentParser, *, required: bool) -> None:
        a.add_argument("--title", required=required, help="标题，如「低保申请条件」")
        body = a.add_mutually_exclusive_group(required=True)
        body.add_argument("--text", help="口径正文")
        body.add_argument("--file", metavar="PATH", help="从文本文件读取正文（UTF-8）")
        a.add_argument("--keywords", help="关键词，逗号分隔（办事指南：网民会这样问）")
        a.add_argument("--topic", help="主题（如 社会救助）")

    a = add("list", "listing", "列出全部条目（在用版本与最新版本状态）", person=False)
    a.add_argument("--kind", choices=KIND_CHOICES)
    a.add_argument("--json", action="store_true")
    a = add("search", "search", "按标题、关键词、正文查找已审定的口径", person=False)
    a.add_argument("query", help="关键词，多个用空格分隔（须都出现）")
    a.add_argument("--kind", choices=KIND_CHOICES)
    a.add_argument("--json", action="store_true")
    a = add("show", "show", "查看一条口径及其全部版本和审核记录", person=False)
    a.add_argument("id", type=record_id)
    a.add_argument("--json", action="store_true")
    a = add("new", "new", "新建口径或办事指南（草稿；--submit 同时提交审核）")
    a.add_argument("--kind", choices=KIND_CHOICES, default="口径")
    a.add_argument("--department", help="所属处室 key 或名称（默认：操作人所在处室）")
    text_args(a, required=True)
    a.add_argument("--submit", action="store_true", help="新建后立即提交审核")
    a = add("edit", "edit", "修改（生成新版本；在用版本在新版本审定前继续使用）")
    a.add_argument("id", type=record_id)
    text_args(a, required=False)
    a.add_argument("--submit", action="store_true", help="修改后立即提交审核")
    a = add("submit", "submit", "提交最新草稿版本审核（所属处室，再按设置经保密/法制审核）")
    a.add_argument("id", type=record_id)
    a = add("approve", "approve", "审核通过当前环节（不能审核自己撰写或提交的版本）")
    a.add_argument("id", type=record_id)
    a.add_argument("--note", help="审核意见")
    a = add("reject", "reject", "驳回当前版本（须写明原因）")
    a.add_argument("id", type=record_id)
    a.add_argument("--reason", required=True)
    a = add(
        "import-guide",
        "import_guide",
        "把办事指南文件中库里还没有的条目导入为已审定条目",
        person=False,
    )
    a.add_argument(
        "--file", metavar="PATH", help="办事指南 TOML（默认：[inbox] keyword_answers_file）"
    )
