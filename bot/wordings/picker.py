"""The message page's 口径 picker, without JavaScript. Inside the answer form, 「查找口径」 and
each entry's 「插入答复」 post the form to the page again (``compose``): the typed text and route
kept, the chosen entry's approved text appended to the answer. A GET search (``?kouj=低保``, and
``&use=12`` to start the answer from entry 12) serves links from elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services import Services
from bot.wordings import service
from review.errors import DomainError


async def _search(services: Services, wanted: str) -> dict[str, Any]:
    wanted = wanted.strip()
    if not wanted:
        return {}
    return {"kouj_query": wanted, "kouj_found": await service.search(services, wanted)}


async def _approved(services: Services, use: str) -> tuple[str | None, str | None]:
    """(the approved text of entry ``use``, None) or (None, why it cannot be used)."""
    try:
        chosen = await service.show(services, int(use))
    except DomainError as exc:
        return None, exc.message
    if chosen.text is None:
        return None, f"口径{chosen.id}「{chosen.title}」尚无审定版本，不能引用"
    return chosen.text, None


async def picker(services: Services, query: Mapping[str, str]) -> dict[str, Any]:
    """Extra context for ``console_message.html`` (empty when the picker was not used)."""
    out = await _search(services, query.get("kouj", ""))
    use = query.get("use", "")
    if use.isdecimal():
        text, problem = await _approved(services, use)
        if text is None:
            out["kouj_error"] = problem
        else:
            out["form_text"] = text
    return out


async def compose(services: Services, form: Mapping[str, Any]) -> dict[str, Any]:
    """The answer form posted back to search or insert: the typed text kept, an inserted entry's
    approved text appended on a line of its own (the replier adapts around it)."""
    typed = str(form.get("text", ""))
    out = await _search(services, str(form.get("kouj", "")))
    out["form_text"] = typed
    use = str(form.get("insert", ""))
    if use.isdecimal():
        text, problem = await _approved(services, use)
        if text is None:
            out["kouj_error"] = problem
        else:
            out["form_text"] = f"{typed.rstrip()}\n{text}" if typed.strip() else text
            out["kouj_inserted"] = int(use)
    return out
