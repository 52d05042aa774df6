"""One alert per account per outage, not one per post (pure: no I/O).

An outage or a service stopped across the due time hits every post of an account at once; sixty
late posts used to mean sixty WeCom messages. Each post's problem is stored as a *held* alert
fact; ``group`` folds them into episodes: a fact joins the account's current episode unless the
account has recovered since that episode's last problem. Only a new episode is announced (one
message listing its posts); later facts of the same episode are filed under it silently.

Recovered means: no problem for ``quiet``, or a post published on time after the last problem
and at least ``settle`` since it (so an on-time post drained between two late ones of the same
backlog does not split the outage). A new episode waits ``gather_quiet`` for the rest of the
backlog to land, at most ``gather_max``, so its one message lists them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from review.timefmt import fmt

#: the per-post kinds gathered into episodes (``publication_rejected`` stays per post: the
#: platform judged that post's content, which is no outage)
GROUPED_KINDS = ("publication_needs_check", "publication_failed", "publication_late")
#: the kind of the one notification per episode
EPISODE_KIND = "publication_episode"
#: posts listed per kind before 「等 N 篇」
LIST_CAP = 5
TITLE_CAP = 20

_LABELS = {
    "publication_needs_check": "待人工核对",
    "publication_failed": "发布失败",
    "publication_late": "延迟发布",
}
_ACTIONS = {
    "publication_needs_check": "待人工核对的请到平台后台核对是否已发出，切勿重复发布；核对后：\n"
    "newmedia publications settle 发布号 published|failed|retry --as 你的key --note 核对依据",
    "publication_failed": "发布失败的请在控制台「发布」列表查看原因后处理。",
    "publication_late": "延迟发布的内容如已过时，可发送「撤回 发布号 原因」。",
}


@dataclass(frozen=True)
class Policy:
    gather_quiet: timedelta = timedelta(seconds=20)
    gather_max: timedelta = timedelta(minutes=2)
    settle: timedelta = timedelta(minutes=5)
    quiet: timedelta = timedelta(hours=1)


POLICY = Policy()


@dataclass(frozen=True)
class Problem:
    """One held per-post alert fact."""

    note_id: int
    account_id: int
    publication_id: int
    kind: str
    title: str
    at: datetime


@dataclass(frozen=True)
class Episode:
    """An account's latest episode as stored: its number and its last problem."""

    seq: int
    last_at: datetime


@dataclass
class Group:
    """Facts of one account's episode ``seq``; ``new``: the episode starts here (announce it)."""

    account_id: int
    seq: int
    new: bool
    problems: list[Problem] = field(default_factory=list)

    @property
    def started(self) -> datetime:
        return min(p.at for p in self.problems)


def episode_key(account: str, seq: int) -> str:
    """The dedup key of an episode's notification: replicas that both open it write one row."""
    return f"{EPISODE_KIND}:{account}:{seq}"


def recovered(last_at: datetime, at: datetime, clean: Sequence[datetime], policy: Policy) -> bool:
    gap = at - last_at
    if gap >= policy.quiet:
        return True
    return gap >= policy.settle and any(last_at < c <= at for c in clean)


def ready(problems: Sequence[Problem], now: datetime, policy: Policy) -> bool:
    """Whether an account's backlog has landed (quiet for a while) or waited long enough."""
    newest = max(p.at for p in problems)
    oldest = min(p.at for p in problems)
    return now - newest >= policy.gather_quiet or now - oldest >= policy.gather_max


def group(
    problems: Sequence[Problem],
    latest: Mapping[int, Episode],
    clean: Mapping[int, Sequence[datetime]],
    now: datetime,
    policy: Policy = POLICY,
) -> list[Group]:
    """Held facts → the episodes they belong to, per account whose backlog is ``ready``.

    ``latest``: each account's stored latest episode; ``clean``: when its posts went out on time.
    """
    by_account: dict[int, list[Problem]] = defaultdict(list)
    for p in problems:
        by_account[p.account_id].append(p)
    out: list[Group] = []
    for account_id, items in sorted(by_account.items()):
        if not ready(items, now, policy):
            continue
        current = latest.get(account_id)
        groups: list[Group] = []
        for p in sorted(items, key=lambda p: (p.at, p.note_id)):
            ok = clean.get(account_id, ())
            if current is None or recovered(current.last_at, p.at, ok, policy):
                current = Episode((current.seq if current else 0) + 1, p.at)
                groups.append(Group(account_id, current.seq, True))
            elif not groups or groups[-1].seq != current.seq:
                groups.append(Group(account_id, current.seq, False))
            current = Episode(current.seq, max(current.last_at, p.at))
            groups[-1].problems.append(p)
        out += groups
    return out


def _title(text: str) -> str:
    return text if len(text) <= TITLE_CAP else text[: TITLE_CAP - 1] + "…"


def describe(g: Group, account_name: str, account_key: str) -> str:
    """The episode's one message (Chinese): the posts by kind, capped, and what to do."""
    lines = [
        f"账号「{account_name}」（{account_key}）自 {fmt(g.started)} 起"
        f"有 {len(g.problems)} 篇发布异常（服务停机或平台故障）："
    ]
    for kind in GROUPED_KINDS:
        posts = [p for p in g.problems if p.kind == kind]
        if not posts:
            continue
        listed = "、".join(f"#{p.publication_id}「{_title(p.title)}」" for p in posts[:LIST_CAP])
        more = f"等 {len(posts)} 篇" if len(posts) > LIST_CAP else ""
        lines.append(f"{_LABELS[kind]} {len(posts)} 篇：{listed}{more}")
    lines += [_ACTIONS[k] for k in GROUPED_KINDS if any(p.kind == k for p in g.problems)]
    lines.append("同一次异常中后续出现的问题不再逐条提醒，请在控制台「发布」列表查看。")
    return "\n".join(lines)
