"""The message page's 口径 picker, without JavaScript: a GET search (``?kouj=低保``) lists the
approved entries; following one (``&use=12``) fills the answer box with its text, to adapt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services import Services
from bot.wordings import service
from review.errors import DomainError


async def picker(services: Services, query: Mapping[str, str]) -> dict[str, Any]:
    """Extra context for ``console_message.html`` (empty when the picker was not used)."""
    wanted, use = query.get("kouj", "").strip(), query.get("use", "")
    out: dict[str, Any] = {}
    if wanted:
        out["kouj_query"] = wanted
        out["kouj_found"] = await service.search(services, wanted)
    if use.isdigit():
        try:
            chosen = await service.show(services, int(use))
        except DomainError as exc:
            out["kouj_error"] = exc.message
        else:
            if chosen.text is None:
                out["kouj_error"] = f"口径{chosen.id}「{chosen.title}」尚无审定版本，不能引用"
            else:
                out["form_text"] = chosen.text
    return out
