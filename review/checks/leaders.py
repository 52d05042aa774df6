"""Leaders' names with their titles, and the order of titles (错敏词表 [[leader]], [[title_order]]).

A wrong title next to a leader's name, a leader named without any title, a known mis-writing of
the name, titles of one person written in the wrong order (局长、党组书记) and leaders listed out
of rank in one sentence are the slips a 政务新媒体 inspection marks first. The bureau keeps the
names in its own 错敏词表 file; this module only applies them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from review.checks.list_files import ListFile, only_keys, strings_of, tables, text_of
from review.checks.types import Verdict

#: titles recognised next to a name even when no leader lists them (so a wrong one is seen)
GENERIC_TITLES = (
    "党组书记", "党组副书记", "党组成员", "党委书记", "党委副书记", "书记", "副书记",
    "局长", "副局长", "一级巡视员", "二级巡视员", "一级调研员", "二级调研员", "巡视员",
    "调研员", "主任", "副主任", "处长", "副处长", "科长", "副科长", "站长", "副站长",
    "院长", "副院长", "市长", "副市长", "秘书长", "副秘书长", "主席", "副主席",
    "总工程师", "总会计师", "总经济师", "机关党委书记",
)  # fmt: skip
_JOINERS = "、兼"
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")


@dataclass(frozen=True)
class Leader:
    name: str
    titles: tuple[str, ...]
    rank: int | None
    wrong_names: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class TitleOrder:
    order: tuple[str, ...]
    label: str
    level: Verdict = Verdict.BLOCK


@dataclass(frozen=True)
class LeaderFinding:
    start: int
    end: int
    level: Verdict
    label: str
    message: str
    fix: str


@dataclass(frozen=True)
class LeaderRules:
    leaders: tuple[Leader, ...] = ()
    orders: tuple[TitleOrder, ...] = ()

    def __add__(self, other: LeaderRules) -> LeaderRules:
        return LeaderRules(self.leaders + other.leaders, self.orders + other.orders)

    @property
    def empty(self) -> bool:
        return not self.leaders and not self.orders


def parse_leaders(data: dict[str, Any], f: ListFile) -> LeaderRules:
    leaders = []
    for i, raw in enumerate(tables(data, f, "leader"), start=1):
        only_keys(raw, {"name", "titles", "rank", "wrong_names"}, f, "leader", i)
        name = text_of(raw, "name", f, "leader", i, required=True)
        titles = strings_of(raw, "titles", f, "leader", i)
        if not titles:
            raise f.error("leader", i, '缺少 titles（此人的职务，例如 ["党组书记", "局长"]）')
        rank = raw.get("rank")
        if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
            raise f.error("leader", i, "rank 应为正整数（1 排最前），不写则不查排序")
        wrong = strings_of(raw, "wrong_names", f, "leader", i)
        label = f"{f.label}领导第{i}条“{name}”"
        leaders.append(Leader(name, titles, rank, wrong, label))
    orders = []
    for i, raw in enumerate(tables(data, f, "title_order"), start=1):
        only_keys(raw, {"order", "level"}, f, "title_order", i)
        order = strings_of(raw, "order", f, "title_order", i)
        if len(order) < 2:
            raise f.error("title_order", i, 'order 至少写两个职务，例如 ["党组书记", "局长"]')
        level = raw.get("level", "block")
        if level not in ("block", "warn"):
            raise f.error("title_order", i, 'level 应为 "block"（拦截，默认）或 "warn"（提示）')
        orders.append(TitleOrder(order, f"{f.label}职务顺序第{i}条", Verdict(level)))
    return LeaderRules(tuple(leaders), tuple(orders))


def _title_hits(text: str, rules: LeaderRules) -> list[tuple[int, int, str]]:
    vocab = set(GENERIC_TITLES)
    for leader in rules.leaders:
        vocab.update(leader.titles)
    for order in rules.orders:
        vocab.update(order.order)
    pattern = "|".join(re.escape(t) for t in sorted(vocab, key=len, reverse=True))
    return [(m.start(), m.end(), m.group()) for m in re.finditer(pattern, text)]


def _chains(hits: list[tuple[int, int, str]], text: str) -> list[list[tuple[int, int, str]]]:
    """Titles of one person written together: 党组书记、局长 / 局长兼党组书记."""
    chains: list[list[tuple[int, int, str]]] = []
    for hit in hits:
        if chains:
            gap = text[chains[-1][-1][1] : hit[0]]
            if gap == "" or (len(gap) == 1 and gap in _JOINERS):
                chains[-1].append(hit)
                continue
        chains.append([hit])
    return chains


def _out_of_order(titles: list[str], order: tuple[str, ...]) -> bool:
    ranks = [order.index(t) for t in titles if t in order]
    return any(b < a for a, b in itertools.pairwise(ranks))


def find_leader_problems(text: str, rules: LeaderRules) -> list[LeaderFinding]:
    if rules.empty:
        return []
    hits = _title_hits(text, rules)
    chains = _chains(hits, text)
    by_end = {c[-1][1]: c for c in chains}
    by_start = {c[0][0]: c for c in chains}
    out: list[LeaderFinding] = []
    for chain in chains:
        titles = [t for _, _, t in chain]
        for order in rules.orders:
            if _out_of_order(titles, order.order):
                right = "、".join(t for t in order.order if t in titles)
                out.append(
                    LeaderFinding(chain[0][0], chain[-1][1], order.level, order.label,
                                  f"职务顺序有误，应为“{right}”", right)
                )  # fmt: skip
    for leader in rules.leaders:
        for wrong in leader.wrong_names:
            for m in re.finditer(re.escape(wrong), text):
                out.append(
                    LeaderFinding(m.start(), m.end(), Verdict.BLOCK, leader.label,
                                  f"领导姓名写错，应为“{leader.name}”", leader.name)
                )  # fmt: skip
        mentions = [
            _leader_at(m.start(), m.end(), leader, by_end, by_start)
            for m in re.finditer(re.escape(leader.name), text)
        ]
        # once named with the right title, the name alone may follow (李振华强调…); without
        # any, the first mention says so and the others only report what is wrong
        titled = any(not problems for problems in mentions)
        for n, problems in enumerate(mentions):
            out.extend(p for p in problems if p.level is Verdict.BLOCK or (n == 0 and not titled))
    out.extend(_rank_problems(text, rules.leaders))
    return out


def _leader_at(
    start: int,
    end: int,
    leader: Leader,
    by_end: dict[int, list[tuple[int, int, str]]],
    by_start: dict[int, list[tuple[int, int, str]]],
) -> list[LeaderFinding]:
    chain = by_end.get(start, []) + by_start.get(end, [])
    written = [t for _, _, t in chain]
    right = "、".join(leader.titles)
    if not written:
        return [
            LeaderFinding(start, end, Verdict.WARN, leader.label,
                          f"未写职务，领导姓名应与职务一并出现（{right}）", f"{right}{leader.name}")
        ]  # fmt: skip
    wrong = [t for t in written if t not in leader.titles]
    if wrong:
        a = min(s for s, _, _ in chain)
        b = max(e for _, e, _ in chain)
        return [
            LeaderFinding(min(a, start), max(b, end), Verdict.BLOCK, leader.label,
                          f"职务写作“{'、'.join(wrong)}”，应为“{right}”", f"{right}{leader.name}")
        ]  # fmt: skip
    if _out_of_order(written, leader.titles):
        return [
            LeaderFinding(start, end, Verdict.BLOCK, leader.label,
                          f"职务顺序有误，应为“{right}”", f"{right}{leader.name}")
        ]  # fmt: skip
    return []


def _rank_problems(text: str, leaders: tuple[Leader, ...]) -> list[LeaderFinding]:
    ranked = [x for x in leaders if x.rank is not None]
    if len(ranked) < 2:
        return []
    pattern = re.compile("|".join(re.escape(x.name) for x in ranked))
    by_name = {x.name: x for x in ranked}
    out = []
    for sentence in _SENTENCE.finditer(text):
        seen: list[tuple[int, int, Leader]] = []
        for m in pattern.finditer(sentence.group()):
            seen.append(
                (sentence.start() + m.start(), sentence.start() + m.end(), by_name[m.group()])
            )
        for (_, _, first), (a, b, later) in itertools.pairwise(seen):
            if later.rank is not None and first.rank is not None and later.rank < first.rank:
                out.append(
                    LeaderFinding(a, b, Verdict.WARN, later.label,
                                  f"排序有误，应排在“{first.name}”之前", "按领导排序调整先后")
                )  # fmt: skip
    return out
