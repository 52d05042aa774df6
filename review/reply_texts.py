"""The words citizens read: Jinja2 templates in ``templates/replies/`` rendered to plain text.

Templates are compiled once per process; rendering one is a few microseconds, cheap enough for
the callback's fast path.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from review.workdays import local_date_text

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "replies"


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # noqa: S701 - plain text for WeChat, never HTML
        trim_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _template(name: str) -> jinja2.Template:
    return _env().get_template(name)


def render(name: str, **values: Any) -> str:
    return _template(name).render(**values).strip()


def ack(ticket: int, deadline_at: datetime | None, note: str | None, *, media: bool = False) -> str:
    deadline = local_date_text(deadline_at) if deadline_at else "规定期限"
    return render(
        "ack_media.j2" if media else "ack.j2", ticket=ticket, deadline=deadline, estimated=note
    )


def guide(title: str, answer: str) -> str:
    return render("guide.j2", title=title, answer=answer)


def welcome(account_name: str) -> str:
    return render("welcome.j2", account_name=account_name)


def outside(ticket: int, terms: str, elsewhere_to: str, hotline: str) -> str:
    return render(
        "outside.j2", ticket=ticket, terms=terms, elsewhere_to=elsewhere_to, hotline=hotline
    )


def answer(ticket: int, text: str, account_name: str) -> str:
    return render("answer.j2", ticket=ticket, text=text, account_name=account_name)
