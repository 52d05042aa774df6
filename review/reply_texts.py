"""The words citizens read: Jinja2 templates in ``templates/replies/`` rendered to plain text.

Templates are compiled once per process; the callback's acknowledgement, rendered for every
message, is rendered once per deadline and only gets its ticket number filled in.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import jinja2

import templates
from review.timefmt import month_day
from review.workdays import local_date_text


@functools.cache
def _env() -> jinja2.Environment:
    return templates.environment(
        "replies",
        autoescape=False,  # plain text for WeChat, never HTML
        trim_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _template(name: str) -> jinja2.Template:
    return _env().get_template(name)


def render(name: str, **values: Any) -> str:
    return _template(name).render(**values).strip()


def ack(
    ticket: int,
    deadline_at: datetime | None,
    note: str | None,
    days: int | None = None,
    *,
    media: bool = False,
) -> str:
    """The acknowledgement: the working days and the date promised (the tracked deadline). Only
    the ticket differs between the messages of one day, so the text is rendered once per
    (template, deadline, days, note) around a marker and the ticket put in its place — checked
    against a real rendering the first time, else rendered every time."""
    deadline = local_date_text(deadline_at) if deadline_at else "规定期限"
    name = "ack_media.j2" if media else "ack.j2"
    dated = deadline_at is not None  # 「12月8日（含）前」: the whole day counts
    shell = _ack_shell(name, deadline, dated, days, note)
    if shell is not None:
        return shell.replace(_TICKET, str(ticket))
    return render(name, ticket=ticket, deadline=deadline, dated=dated, days=days, estimated=note)


_TICKET = "\x00ticket\x00"


@functools.lru_cache(maxsize=64)
def _ack_shell(
    name: str, deadline: str, dated: bool, days: int | None, note: str | None
) -> str | None:
    values = {"deadline": deadline, "dated": dated, "days": days, "estimated": note}
    shell = render(name, ticket=_TICKET, **values)
    probe = 987654321
    same = shell.replace(_TICKET, str(probe)) == render(name, ticket=probe, **values)
    return shell if same and shell.count(_TICKET) >= 1 else None


def guide(title: str, answer: str) -> str:
    return render("guide.j2", title=title, answer=answer)


def welcome(account_name: str, days: int) -> str:
    return render("welcome.j2", account_name=account_name, days=days)


def outside(ticket: int, terms: str, elsewhere_to: str, hotline: str) -> str:
    return render(
        "outside.j2", ticket=ticket, terms=terms, elsewhere_to=elsewhere_to, hotline=hotline
    )


def answer(ticket: int, text: str, account_name: str) -> str:
    return render("answer.j2", ticket=ticket, text=text, account_name=account_name)


def interim(
    ticket: int, department: str, deadline_at: datetime, platform: str, account_name: str
) -> str:
    """The interim reply sent inside the reply window when the answer will come after it."""
    return render(
        "interim.j2", ticket=ticket, department=department, deadline=month_day(deadline_at),
        platform=platform, account_name=account_name,
    )  # fmt: skip


def public_answer_notice(ticket: int, url: str, platform: str) -> str:
    """The one private message telling a citizen their question was answered in public."""
    return render("public_answer_notice.j2", ticket=ticket, url=url, platform=platform)
