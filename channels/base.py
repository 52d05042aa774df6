"""The one contract every platform adapter fulfils, and its closed set of errors.

Pure data and protocols: no I/O here, so review/ can depend on it without pulling in a client.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


class Platform(enum.StrEnum):
    WECHAT = "wechat"
    WEIBO = "weibo"
    WECOM = "wecom"


# ---- the closed error set -------------------------------------------------------------------


class ChannelError(Exception):
    """Base of the four error kinds a channel may raise (``Transient`` has one refinement,
    ``NotSent``); ``code`` is the platform's own code."""

    kind: str = "error"

    def __init__(self, message: str, *, code: int | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})" if self.code is not None else self.message


class Transient(ChannelError):
    """Try again later: network trouble, timeouts, 5xx, rate limits that reset soon."""

    kind = "transient"

    def __init__(
        self, message: str, *, code: int | str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class NotSent(Transient):
    """Safe to send again: nothing public can have come of this call. Either the request never
    left this machine (could not connect, name not resolved), or the adapter knows the endpoint
    publishes nothing (a WeChat draft, an image upload, a token: ``CallEffect.PRIVATE``). Every
    other ``Transient`` from a write (timeout, broken connection, 5xx, an unreadable answer) may
    have been carried out in public."""

    kind = "not_sent"


class CallEffect(enum.StrEnum):
    """What one platform endpoint can do that the public sees. Each adapter keeps one table of
    its endpoints (``channels/<platform>/endpoints.py``), so a failed call is classified on its
    own and not by whether it was a write."""

    #: nothing public (a draft, an uploaded image, a token): a failed call is ``NotSent``
    PRIVATE = "private"
    #: publishes, deletes or replies in public: a failed call may have been carried out
    PUBLIC = "public"
    #: only reads: its failure says nothing about a post; the caller decides what it means
    READ = "read"


def failed_call(effects: Mapping[str, CallEffect], endpoint: str, exc: Transient) -> Transient:
    """A transport failure of one call, as the engine must read it: ``NotSent`` where the
    adapter's table (its ``endpoints.py``) says the endpoint publishes nothing, else ``exc``
    unchanged. An endpoint missing from the table is taken to publish: never resent blindly."""
    if effects.get(endpoint, CallEffect.PUBLIC) is not CallEffect.PRIVATE:
        return exc
    if isinstance(exc, NotSent):
        return exc
    return NotSent(exc.message, code=exc.code, retry_after=exc.retry_after)


class AuthExpired(ChannelError):
    """The token was refused even after one refresh: refresh credentials, then retry."""

    kind = "auth_expired"


class Rejected(ChannelError):
    """The platform said no for good (content check failed, quota for the day, IP not
    whitelisted, unauthorized): do not retry blindly; a human must act."""

    kind = "rejected"


class NotSupported(ChannelError):
    """This platform or account cannot do that at all (e.g. retract on a platform without it)."""

    kind = "not_supported"


# ---- data crossing the boundary -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Post:
    """What review/ hands to a channel to publish. ``body_html``/``text`` are already rendered."""

    publication_id: int
    account_key: str
    title: str
    body_markdown: str
    kind: str = "工作动态"
    author: str = ""
    digest: str = ""
    source: str | None = None
    cover_path: str | None = None
    link_url: str | None = None
    #: idempotency key the platform can echo back (WeChat mass ``clientmsgid``)
    idempotency_key: str = ""
    push_to_followers: bool = False
    #: the earliest moment a platform call for this post may have started: a lookup by key
    #: searches back to it (``None``: unknown, only the account's first post ends the search)
    sent_after: datetime | None = None


class ReceiptState(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # accepted, platform still processing (WeChat freepublish)
    FAILED = "failed"  # platform finished and refused (e.g. publish_status 4)
    UNKNOWN = "unknown"  # reconciliation could not decide


class Absence(enum.StrEnum):
    """What it means that a search did not find a post, for the publishing call searched for.
    Each adapter declares it per endpoint (its ``endpoints.py`` ``ABSENCE``); review/ decides
    from it (``review/publishing/rules.py`` ``resend_after_miss``)."""

    #: the call publishes before it answers and the account lists the post at once: missing
    #: after a complete search, it never went out (Weibo ``statuses/share``)
    NOT_PUBLISHED = "not_published"
    #: the platform keys the call and answers a repeat with the first result, for as long as
    #: the search's window says (WeChat mass send's ``clientmsgid``)
    IDEMPOTENT = "idempotent"
    #: the platform finishes the work after answering: missing may be "still processing"
    #: (WeChat ``freepublish/submit``)
    MAY_BE_PROCESSING = "may_be_processing"


@dataclass(frozen=True, slots=True)
class Search:
    """What a lookup by key covered (``Receipt.search`` of an UNKNOWN answer): review/ words it
    for staff and decides from it whether a post not found may be sent again."""

    absence: Absence
    #: reached back past ``since`` (less a clock-skew margin) or to the account's first post
    complete: bool
    #: posts looked at, and the pages asked for
    items: int
    pages: int
    #: the oldest post looked at (for a mass send: the oldest send the platform still keys)
    back_to: datetime | None
    #: what the search had to reach (``Post.sent_after``)
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Receipt:
    state: ReceiptState
    remote_id: str | None = None  # WeChat publish_id / article_id, Weibo status id
    url: str | None = None
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    #: what a lookup by key searched (an UNKNOWN answer after a search), else None
    search: Search | None = None


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A citizen's message or comment, normalised across platforms."""

    platform: Platform
    account_key: str
    dedup_key: str  # MsgId, or sender+CreateTime+Event, or Weibo comment id
    sender: str  # openid / weibo uid
    created_at: datetime
    msg_type: str  # text, image, event, comment ...
    text: str = ""
    event: str | None = None
    remote_ref: str | None = None  # Weibo: the status id commented on
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: Sequence[IncomingMessage]
    cursor: str | None  # pass back as ``since`` next time


@dataclass(frozen=True, slots=True)
class PlatformPost:
    """One post as the account's own list shows it — made by the bot or in the platform's back
    office. ``marker`` is the idempotency key the bot puts in its posts (``p=<key>`` in the
    link, WeChat's ``<!--nm:key-->``), found in this one, else ``None``."""

    remote_id: str  # WeChat article_id (``:<index>`` after the first article), Weibo status id
    title: str  # WeChat article title, Weibo status text (cut)
    excerpt: str
    posted_at: datetime
    url: str | None = None
    marker: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class PostListing:
    """An account's posts newer than ``since``, newest first; ``complete``: the listing reached
    past ``since`` or the account's first post (else the page budget ran out)."""

    posts: Sequence[PlatformPost]
    complete: bool
    pages: int


@runtime_checkable
class PostLister(Protocol):
    """The account's own list of posts (WeChat ``freepublish/batchget``, the Weibo user
    timeline): the daily back-office sync reads it. Every adapter that publishes offers it."""

    account_key: str

    async def list_posts(self, since: datetime, *, max_pages: int) -> PostListing: ...


# ---- what a platform refuses ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformLimits:
    """What one platform refuses, declared once by its adapter (``channels/<platform>/limits.py``).

    The adapter renders within these limits; the service hands the same values to the review
    gate, which checks a draft against them before a reviewer's time is spent. Every character
    counts 1; ``None`` means the platform sets no such limit.
    """

    title_required: bool = False
    title_max: int | None = None
    author_max: int | None = None
    digest_max: int | None = None
    #: the article content must be shorter than this
    content_below: int | None = None
    cover_required: bool = False
    #: ``#话题#`` would open a topic, which posts made through the API may not do
    topics_banned: bool = False
    #: a short status (title, summary, link to the article) in at most this many characters
    status_max: int | None = None
    #: what the channel appends to the article link in a status (its publication key marker)
    link_marker_chars: int = 0
    #: the status for (title, Markdown body, digest) without its link, summary uncut: the
    #: adapter's own conversion, so the gate inspects the text the platform would receive
    status_text: Callable[[str, str, str], str] | None = None


# ---- the contract ---------------------------------------------------------------------------

#: awaited by ``publish`` right before its first call that may put something in public (WeChat
#: ``freepublish/submit`` or a mass send after the private draft and uploads; Weibo ``share``).
#: The engine commits the row's "sending" mark there, so a crash during the private steps leaves
#: a row that surely went nowhere. If it raises, the channel makes no public call and lets the
#: exception through.
GoingPublic = Callable[[], Awaitable[None]]


async def nothing_to_announce() -> None:
    """The ``going_public`` of a caller that records nothing before the public step."""


@runtime_checkable
class Channel(Protocol):
    """One account on one platform. Every method may raise only ChannelError subclasses."""

    platform: Platform
    account_key: str

    async def publish(
        self, post: Post, *, going_public: GoingPublic = nothing_to_announce
    ) -> Receipt: ...

    async def check(self, post: Post, receipt: Receipt | None) -> Receipt:
        """Ask the platform what became of ``post`` (after ``pending`` or a crash).

        ``receipt`` is what we recorded, if anything; with ``None`` the channel searches by the
        post's idempotency key / recent posts and answers UNKNOWN when it cannot decide."""
        ...

    async def retract(self, remote_id: str, *, index: int = 1) -> None: ...

    async def reply(self, to: str, text: str, *, ref: str | None = None) -> None: ...

    async def fetch_messages(self, since: str | None) -> MessagePage: ...


class TokenStore(Protocol):
    """Where an API client keeps its access token (the database, in the service)."""

    async def get(self, account_key: str) -> tuple[str, datetime] | None: ...

    async def put(self, account_key: str, token: str, expires_at: datetime) -> None: ...
