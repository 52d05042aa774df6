"""The WeChat fake's per-account state: drafts, publish jobs, published articles, windows.

``dump`` / ``restore`` turn it into the JSON document the state file keeps (persistence.py);
the indexes (``by_article``, ``free``) are rebuilt from the timeline, not stored twice.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from channels.sandbox.config import WeChatAccount


@dataclass
class Article:
    """One news item of a published post, as followers see it."""

    index: int
    title: str
    author: str
    digest: str
    content: str
    content_source_url: str
    cover_url: str
    url: str
    deleted: bool = False
    #: comments (留言): opened by draft/add's need_open_comment or comment/open
    comments_open: bool = False
    only_fans_can_comment: bool = False
    #: 88002: the platform limited this article's comments for safety (scripted by tests)
    comments_limited: bool = False


@dataclass
class Published:
    article_id: str
    articles: list[Article]
    published_at: float
    via: str  # "freepublish" | "mass"
    job_id: str
    #: what the comment APIs name the post by (returned by submit / sendall)
    msg_data_id: str = ""

    @property
    def all_deleted(self) -> bool:
        return all(a.deleted for a in self.articles)


@dataclass
class Job:
    """A freepublish (publish_id) or mass (msg_id) job that finishes at ``due``."""

    job_id: str
    kind: str  # "publish" | "mass"
    media_id: str
    due: float
    outcome: int  # final publish_status (0 ok, 4 platform review rejected, ...)
    status: int = 1
    article_id: str | None = None
    msg_data_id: str = ""

    @property
    def done(self) -> bool:
        return self.status != 1


@dataclass
class CustomMessage:
    openid: str
    text: str
    at: float


@dataclass
class ArticleComment:
    """A reader's comment under one article, and the account's answer to it."""

    user_comment_id: int
    msg_data_id: str
    index: int
    openid: str
    content: str
    create_time: float
    elected: bool = False
    deleted: bool = False
    reply: str | None = None
    reply_time: float | None = None


@dataclass
class WeChatState:
    account: WeChatAccount
    materials: dict[str, str] = field(default_factory=dict)  # media_id → image URL
    drafts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    timeline: list[Published] = field(default_factory=list)  # oldest first
    by_article: dict[str, Published] = field(default_factory=dict)
    free: list[Published] = field(default_factory=list)  # freepublish only (batchget lists these)
    mass_by_client: dict[str, str] = field(default_factory=dict)  # clientmsgid → msg_id
    mass_per_day: dict[str, int] = field(default_factory=dict)
    cs_window: dict[str, tuple[float, int]] = field(default_factory=dict)  # openid → (at, sent)
    sent: list[CustomMessage] = field(default_factory=list)
    scripted_outcomes: deque[int] = field(default_factory=deque)
    comments: list[ArticleComment] = field(default_factory=list)  # oldest first
    #: the next ``comment/list`` calls answer an empty page with the true total (the forum's
    #: report, platforms.md §2.5a): how many are left to answer so
    scripted_empty_lists: int = 0

    @property
    def gh_id(self) -> str:
        return self.account.gh_id or f"gh_{self.account.appid}"


def dump(state: WeChatState) -> dict[str, Any]:
    return {
        "materials": state.materials,
        "drafts": state.drafts,
        "jobs": [asdict(job) for job in state.jobs.values()],
        "timeline": [asdict(post) for post in state.timeline],
        "mass_by_client": state.mass_by_client,
        "mass_per_day": state.mass_per_day,
        "cs_window": {k: list(v) for k, v in state.cs_window.items()},
        "sent": [asdict(m) for m in state.sent],
        "scripted_outcomes": list(state.scripted_outcomes),
        "comments": [asdict(c) for c in state.comments],
        "scripted_empty_lists": state.scripted_empty_lists,
    }


def restore(state: WeChatState, doc: dict[str, Any]) -> None:
    """Fill a fresh account state from its stored document."""
    state.materials = dict(doc["materials"])
    state.drafts = dict(doc["drafts"])
    state.jobs = {j["job_id"]: Job(**j) for j in doc["jobs"]}
    for raw in doc["timeline"]:
        articles = [Article(**a) for a in raw["articles"]]
        post = Published(**{**raw, "articles": articles})
        state.timeline.append(post)
        state.by_article[post.article_id] = post
        if post.via == "freepublish":
            state.free.append(post)
    state.mass_by_client = dict(doc["mass_by_client"])
    state.mass_per_day = dict(doc["mass_per_day"])
    state.cs_window = {k: (float(v[0]), int(v[1])) for k, v in doc["cs_window"].items()}
    state.sent = [CustomMessage(**m) for m in doc["sent"]]
    state.scripted_outcomes = deque(doc["scripted_outcomes"])
    state.comments = [ArticleComment(**c) for c in doc.get("comments", ())]
    state.scripted_empty_lists = int(doc.get("scripted_empty_lists", 0))
