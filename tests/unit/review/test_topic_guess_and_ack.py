"""The fast path's topic guess, the deadline it promises, and the acknowledgement that states it:
what the citizen is told is the deadline that is tracked, for shorter and longer topics alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import IncomingMessage, Platform
from review import reply_texts
from review.keyword_answers import default_keyword_answers
from review.replies_fast import InboxPolicy, new_row, passive_text
from review.routing import classify
from review.store.inbox_rows import StoredMessage
from review.timefmt import SHANGHAI
from review.topic_guess import default_guesser, trie_pattern
from review.workdays import local_date_text

FRIDAY_18 = datetime(2026, 12, 4, 18, 0, tzinfo=SHANGHAI).astimezone(UTC)
POLICY = InboxPolicy(default_days=3, topic_days={"婚姻登记": 5, "儿童福利与未成年人保护": 2})

TEXTS = [
    "我家老人想申请入住养老院",
    "低保金这个月为什么没有到账",
    "想了解一下公益性公墓的价格和节地生态安葬政策",
    "我和爱人想办理离婚登记，请问需要准备哪些证件",
    "我们村有个孤儿没人照顾，能申请基本生活费吗",
    "我们小区的路名什么时候更改",
    "我的养老金这个月少发了，社保卡也用不了",
    "你们好",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_guess_agrees_with_routing_on_typical_messages(text: str) -> None:
    assert default_guesser().guess(text) == classify(text).topic


def test_trie_pattern_prefers_the_longest_term() -> None:
    pattern = trie_pattern(["低保", "低保金", "养老"])
    assert pattern.findall("低保金和低保、养老") == ["低保金", "低保", "养老"]
    assert trie_pattern([]).findall("任何文字") == []


def _msg(text: str, msg_type: str = "text") -> IncomingMessage:
    return IncomingMessage(
        Platform.WECHAT, "ccmz_wechat", f"k-{text}", "o_1", FRIDAY_18, msg_type, text
    )


@pytest.mark.parametrize(
    ("text", "days", "date"),
    [
        ("我和爱人想办理离婚登记，请问需要准备哪些证件", 5, "2026年12月11日"),  # longer
        ("我们村有个孤儿没人照顾，能申请基本生活费吗", 2, "2026年12月8日"),  # shorter
        ("低保金这个月为什么没有到账", 3, "2026年12月9日"),  # the default
    ],
)
def test_row_and_ack_promise_the_topic_deadline(text: str, days: int, date: str) -> None:
    row = new_row(_msg(text), 1, FRIDAY_18, POLICY, default_keyword_answers())
    assert local_date_text(row["deadline_at"]) == date
    assert row["reply_window_closes_at"] == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    stored = StoredMessage(
        7, "new", text, "text", None, row["deadline_at"], None, None, row["received_at"]
    )
    ack = passive_text(stored, "长春民政", default_keyword_answers(), None, POLICY)
    assert ack is not None and f"在 {days} 个工作日内、{date}（含）前答复您" in ack
    assert "受理编号：7" in ack


def test_no_fixed_three_days_in_the_welcome() -> None:
    assert "5 个工作日" in reply_texts.welcome("长春民政", 5)
    assert "3 个工作日" not in reply_texts.welcome("长春民政", 5)


def test_interim_text() -> None:
    due = datetime(2026, 12, 9, 15, 59, 59, tzinfo=UTC)
    text = reply_texts.interim(12, "养老服务处", due, "wechat", "长春民政")
    assert text == (
        "您好，您的留言已转养老服务处办理，预计12月9日（含）前答复。届时如无法通过本公众号消息"
        "回复您，答复将在本公众号「留言答复」栏目公开（个人信息隐去），受理编号#12。\n——长春民政"
    )
    weibo = reply_texts.interim(12, "养老服务处", due, "weibo", "长春民政")
    assert "无法通过本微博私信回复您" in weibo and "本微博「留言答复」栏目" in weibo


def test_ack_date_counts_the_whole_day_and_the_cached_shell_keeps_the_ticket() -> None:
    due = datetime(2026, 12, 8, 15, 59, 59, tzinfo=UTC)
    for media in (False, True):
        first = reply_texts.ack(13, due, None, 3, media=media)
        again = reply_texts.ack(14, due, None, 3, media=media)  # from the cached shell
        assert "我们将在 3 个工作日内、2026年12月8日（含）前答复您。" in first
        assert "受理编号：13" in first and "受理编号：14" in again
        assert again == first.replace("受理编号：13", "受理编号：14")
    undated = reply_texts.ack(15, None, None)
    assert "规定期限前答复您" in undated and "（含）" not in undated


def test_public_answer_notice_text() -> None:
    url = "https://mp.weixin.qq.com/s/abc"
    assert reply_texts.public_answer_notice(3, url, "wechat") == (
        f"您好，您的留言（受理编号#3）已在本公众号「留言答复」栏目公开答复：{url}"
    )
