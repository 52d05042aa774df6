"""A realistic history for demos and tests (``newmedia sandbox seed --days 120``), planned as
plain data from a seeded ``Random`` so the same seed gives the same history (pure; the writer is
``review.store.sandbox_history``).

What the reports need to show something: posts on most days with a quiet spell past 14 days on
one account and a current one near it, a few late and failed posts, gate blocks by reason, a
规范性文件 every few weeks with its 政策解读 (one late, the newest still outstanding), a press
item most quarters, messages answered in time, late, transferred or still open, back-office
posts (one not made through review), and WeChat reads, shares and followers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from review.timefmt import SHANGHAI, local_date

#: the checks a seeded block names, with what the editor was told
BLOCKS = {
    "personal_data": "正文含个人信息：困难群众姓名与住址",
    "wording": "错敏词：「民政部门」误写",
    "relevance": "与本局职能无关：交通出行提示",
    "secrecy": "含「内部资料」字样",
}
WORDS = {
    "民政综合": ("民政工作会议召开", "政务公开工作要点", "年度民政统计数据发布"),
    "社会救助": ("城乡低保标准调整", "临时救助申请指南", "低收入人口动态监测"),
    "流浪乞讨人员救助": ("寒冬专项救助行动", "救助管理站开放日", "寻亲成功案例"),
    "养老服务": ("老年助餐点新增", "居家适老化改造补贴", "养老机构安全检查"),
    "老龄工作": ("敬老月活动", "高龄津贴发放", "老年人权益保障宣传"),
    "儿童福利与未成年人保护": ("困境儿童关爱行动", "收养登记须知", "未成年人救助保护"),
    "残疾人福利": ("两项补贴发放", "康复辅助器具适配", "精神障碍社区康复"),
    "婚姻登记": ("婚姻登记预约指南", "婚俗改革倡议", "颁证服务升级"),
    "殡葬管理": ("文明祭扫倡议", "节地生态安葬奖补", "公益性公墓建设"),
    "行政区划与地名": ("地名普查成果发布", "行政区域界线联检", "标准地名公布"),
    "社会组织": ("社会组织年报提醒", "打击整治非法社会组织", "社会团体登记指南"),
    "慈善与福利彩票": ("慈善一日捐", "福利彩票公益金使用公告", "慈善组织认定"),
    "社区治理": ("社区服务站点提升", "城乡社区协商", "社区工作者培训"),
    "社会工作与志愿服务": ("志愿服务月活动", "社会工作站建设", "志愿者招募"),
}
KINDS = (("工作动态", 50), ("通知公告", 20), ("办事指南", 15), ("政策解读", 15))
SLOTS = (time(9, 0), time(17, 0))


@dataclass(frozen=True)
class AccountInfo:
    key: str
    id: int
    platform: str
    department_id: int


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    topics: tuple[str, ...]


@dataclass
class PlannedPost:
    account: AccountInfo
    title: str
    kind: str
    submitted_at: datetime
    approved_at: datetime
    due_at: datetime
    #: None: it failed
    published_at: datetime | None
    late_seconds: float = 0.0
    #: an earlier revision this check blocked
    blocked_check: str | None = None
    #: the planned 规范性文件 (its index in ``History.posts``) this 政策解读 interprets
    interprets: int | None = None
    reads: int = 0


@dataclass(frozen=True)
class PlannedMessage:
    account: AccountInfo
    topic: str
    department_id: int
    text: str
    received_at: datetime
    deadline_at: datetime
    answered_at: datetime | None
    status: str  # answered | assigned | overdue | dismissed
    route: str | None
    #: first routed elsewhere, then transferred to ``department_id``
    transferred: bool = False


@dataclass(frozen=True)
class BackOfficePost:
    account: AccountInfo
    title: str
    posted_at: datetime


@dataclass
class History:
    posts: list[PlannedPost] = field(default_factory=list)
    messages: list[PlannedMessage] = field(default_factory=list)
    back_office: list[BackOfficePost] = field(default_factory=list)
    #: (account id, Beijing day, new, lost, total)
    followers: list[tuple[int, date, int, int, int]] = field(default_factory=list)


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=SHANGHAI)


def _topic_of(rng: Random, dept: DepartmentInfo) -> str:
    return rng.choice([t for t in dept.topics if t in WORDS] or ["民政综合"])


def _quiet(index: int, day: int, days: int) -> bool:
    """The third account keeps a 16-day spell mid-way (a veto in its history) and has been
    quiet for the last nine days (near the 14-day rule now)."""
    if index != 2:
        return False
    start = days // 5
    spell = start + 16 <= days - 12 and start <= day < start + 16
    return spell or day >= days - 9


def plan(
    rng: Random,
    as_of: datetime,
    days: int,
    accounts: Sequence[AccountInfo],
    departments: Sequence[DepartmentInfo],
    deadline: Callable[[datetime], datetime],
) -> History:
    """``deadline``: a message's answer deadline from its receipt (working days, settings)."""
    history = History()
    by_dept = {d.id: d for d in departments}
    first = local_date(as_of) - timedelta(days=days)
    normatives: list[int] = []
    for n in range(days):
        day = first + timedelta(days=n)
        for index, account in enumerate(accounts):
            owner = by_dept.get(account.department_id) or departments[0]
            # the office's account posts its 规范性文件 days; the quiet one posts before its spell
            forced = (index == 0 and n % 37 == 5) or (index == 2 and n == days - 10)
            if forced or (not _quiet(index, n, days) and rng.random() < 0.6):
                _post(rng, history, account, owner, day, as_of, normatives, n)
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                dept = rng.choice(departments)
                history.messages.append(_message(rng, account, dept, day, as_of, deadline))
        if n % 30 == 17:
            account = accounts[n // 30 % len(accounts)]
            when = _at(day, time(20, rng.randrange(60)))
            history.back_office.append(
                BackOfficePost(account, "临时通知：办事大厅今日延时服务", when)
            )
    for account in accounts:
        if account.platform == "wechat":
            total = 8000 + 3000 * rng.randrange(4)
            for n in range(days):
                new, lost = rng.randrange(5, 60), rng.randrange(0, 15)
                total += new - lost
                history.followers.append((account.id, first + timedelta(days=n), new, lost, total))
    _interpretations(rng, history, normatives, as_of)
    return history


def _post(
    rng: Random,
    history: History,
    account: AccountInfo,
    owner: DepartmentInfo,
    day: date,
    as_of: datetime,
    normatives: list[int],
    n: int,
) -> None:
    due = _at(day, rng.choice(SLOTS))
    if due >= as_of:
        return
    topic = _topic_of(rng, owner)
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    if n % 37 == 5 and account.platform == "wechat":
        kind = "规范性文件"
    elif n % 41 == 20 and account.platform == "wechat":
        kind = rng.choice(("新闻发布稿", "新闻发布会"))
    title = f"{rng.choice(WORDS[topic])}（{day.month}月{day.day}日）"
    if kind == "规范性文件":
        title = f"长春市{rng.choice(WORDS[topic])}管理办法"
    submitted = due - timedelta(hours=rng.uniform(4, 72))
    approved = min(submitted + timedelta(hours=rng.uniform(0.5, 30)), due - timedelta(minutes=5))
    roll = rng.random()
    late = rng.uniform(120, 2400) if roll < 0.05 else rng.uniform(0, 20)
    published = None if 0.05 <= roll < 0.08 else due + timedelta(seconds=late)
    blocked = rng.choice(sorted(BLOCKS)) if rng.random() < 0.12 else None
    post = PlannedPost(
        account, title, kind, submitted, approved, due, published,
        late_seconds=late if published else 0.0, blocked_check=blocked,
        reads=int(rng.paretovariate(1.5) * 300),
    )  # fmt: skip
    history.posts.append(post)
    if kind == "规范性文件" and published is not None:
        normatives.append(len(history.posts) - 1)


def _interpretations(rng: Random, history: History, normatives: list[int], as_of: datetime) -> None:
    """Each 规范性文件 gets its 解读 from the same account two days later — the second one six
    days later (late), the newest none (outstanding)."""
    for i, doc_index in enumerate(normatives[:-1] if len(normatives) > 1 else []):
        doc = history.posts[doc_index]
        assert doc.published_at is not None
        gap = timedelta(days=6 if i == 1 else 2, hours=rng.uniform(0, 3))
        due = doc.published_at + gap
        if due >= as_of:
            continue
        history.posts.append(
            PlannedPost(
                doc.account, f"《{doc.title}》政策解读", "政策解读",
                due - timedelta(hours=20), due - timedelta(hours=2), due, due,
                interprets=doc_index, reads=int(doc.reads * 0.6),
            )
        )  # fmt: skip


def _message(
    rng: Random,
    account: AccountInfo,
    dept: DepartmentInfo,
    day: date,
    as_of: datetime,
    deadline: Callable[[datetime], datetime],
) -> PlannedMessage:
    received = _at(day, time(rng.randrange(8, 22), rng.randrange(60)))
    received = min(received, as_of - timedelta(minutes=30))
    due = deadline(received)
    topic = _topic_of(rng, dept)
    text = f"请问{rng.choice(WORDS[topic])}怎么办理？"
    roll = rng.random()
    transferred = False
    if roll < 0.04:
        return PlannedMessage(
            account, topic, dept.id, "广告推广", received, due, None, "dismissed", None
        )
    if roll < 0.09:
        transferred = True  # first routed to the wrong office, then moved
    route = "cs" if account.platform == "wechat" else "public"
    if rng.random() < 0.08:
        route = "phone"
    if roll > 0.9:  # late, or not answered yet
        answered = due + timedelta(hours=rng.uniform(2, 60))
        if answered > as_of:
            status = "overdue" if due < as_of else "assigned"
            return PlannedMessage(account, topic, dept.id, text, received, due, None, status, None)
    else:
        answered = received + (due - received) * rng.uniform(0.05, 0.9)
        if answered > as_of:
            return PlannedMessage(
                account, topic, dept.id, text, received, due, None, "assigned", None
            )
    return PlannedMessage(
        account, topic, dept.id, text, received, due, answered, "answered", route, transferred
    )
