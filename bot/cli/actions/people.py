"""``newmedia people list``: the people as the settings file has them. It reads no database
(``newmedia token issue`` is in ``tokens``), so it answers without loading SQLAlchemy."""

from __future__ import annotations

import argparse

from bot.cli.actions.output import print_json, print_table
from bot.cli.actions.runner import settings_from

COLUMNS = [
    ("key", "key"),
    ("name", "姓名"),
    ("department", "部门"),
    ("roles", "角色"),
    ("wecom", "企业微信"),
]


def listing(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    rows = [
        {
            "key": p.key,
            "name": p.name,
            "department": settings.departments[p.department].name,
            "roles": " ".join(p.roles),
            "wecom": p.wecom or "",
        }
        for p in settings.people.values()
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, COLUMNS)
    return 0
