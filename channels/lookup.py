"""Walking an account's posts newest first, back to when our call may have started.

After a crash or an unclear answer a channel looks for a post by the key it carries. The walk
counts what it looked at, so the receipt can say exactly what was searched (``channels.base.Search``)
and review/ can tell "not there" from "not looked far enough". Shared by the adapters; pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from channels.base import Absence, Search

#: the platform's clock and ours may disagree by this much: a post stamped this much before
#: ``sent_after`` may still be ours, so the walk goes on past it
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Walk:
    """One search, page by page: ``page(...)`` after each page, ``report()`` at the end."""

    since: datetime | None
    absence: Absence
    items: int = 0
    pages: int = 0
    back_to: datetime | None = None
    complete: bool = False
    _seen: set[str] = field(default_factory=set)

    def page(self, posts: Iterable[tuple[str, datetime]], *, last: bool) -> bool:
        """Count one page of (id, time) pairs, newest first; ``last``: the platform has nothing
        older. True when the walk is over: it reached past ``since`` (less the clock skew) or
        the account's first post. A post seen twice (the list moved under us) counts once."""
        self.pages += 1
        for post_id, at in posts:
            if post_id not in self._seen:
                self._seen.add(post_id)
                self.items += 1
            if self.back_to is None or at < self.back_to:
                self.back_to = at
        reached = (
            self.since is not None
            and self.back_to is not None
            and self.back_to < self.since - CLOCK_SKEW
        )
        self.complete = self.complete or reached or last
        return self.complete

    def report(self) -> Search:
        return Search(
            absence=self.absence,
            complete=self.complete,
            items=self.items,
            pages=self.pages,
            back_to=self.back_to,
            since=self.since,
        )
