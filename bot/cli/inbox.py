"""``newmedia inbox``: the citizen reply queue from the command line (list, show, reply,
transfer, close). Everyone acts as a person (``--as``): visibility and permissions are theirs."""

from __future__ import annotations

import argparse

from bot.cli.arg_types import record_id
from bot.cli.lazy import lazy
from review.states import MessageStatus


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inbox", help="网民留言答复队列")
    actions = p.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)

    def add(name: str, function: str, help_text: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text)
        a.add_argument("--as", dest="as_person", metavar="PERSON", help="操作人（人员 key 或姓名）")
        a.set_defaults(handler=lazy("inbox", function))
        return a

    a = add("list", "listing", "列出留言（默认：未办结的；不指定 --as 时以管理员身份）")
    a.add_argument("--state", choices=[s.value for s in MessageStatus])
    a.add_argument("--json", action="store_true")
    a = add("show", "show", "查看一条留言")
    a.add_argument("id", type=record_id)
    a.add_argument("--json", action="store_true")
    a = add("reply", "reply", "答复留言：客服消息、公开答复（经审核发布）或记录电话答复")
    a.add_argument("id", type=record_id)
    a.add_argument("text", help="答复内容；--route phone 时为通话摘要")
    a.add_argument(
        "--route", choices=["cs", "public", "phone"], default="cs",
        help="cs 客服消息（默认，48 小时窗口内）；public 公开答复：问题去标识化后连同答复"
        "经本账号审核发布在「留言答复」栏目；phone 记录已打的答复电话",
    )  # fmt: skip
    a = add("transfer", "transfer", "转办到其他处室")
    a.add_argument("id", type=record_id)
    a.add_argument("dept", help="处室 key 或名称")
    a.add_argument("--note", required=True)
    a = add("close", "close", "关闭（或 --dismiss 忽略）留言")
    a.add_argument("id", type=record_id)
    a.add_argument("--reason", required=True)
    a.add_argument("--dismiss", action="store_true")
    a = add(
        "comment", "comment", "公众号文章留言：精选（elect）、取消精选（unelect）、删除（delete）"
    )
    a.add_argument("comment_action", choices=["elect", "unelect", "delete"], metavar="ACTION")
    a.add_argument("id", type=record_id)
    a.add_argument("--reason", default="", help="原因（删除时必填，如：含辱骂内容）")
