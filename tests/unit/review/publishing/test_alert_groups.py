"""The pure grouping rule: one episode per account per outage, listing its posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from review.publishing.alert_groups import (
    POLICY,
    Episode,
    Group,
    Problem,
    describe,
    episode_key,
    group,
)

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def late(n: int, account_id: int = 1, at: datetime = T0, kind: str = "publication_late") -> Problem:
    return Problem(n, account_id, 100 + n, kind, f"民政动态{n}", at)


def test_sixty_late_posts_on_one_account_are_one_new_episode() -> None:
    problems = [late(i, at=T0 + timedelta(milliseconds=20 * i)) for i in range(60)]
    [g] = group(problems, {}, {}, T0 + timedelta(minutes=1))
    assert (g.account_id, g.seq, g.new, len(g.problems)) == (1, 1, True, 60)


def test_two_accounts_are_two_episodes() -> None:
    problems = [late(i, account_id=1 + i % 2) for i in range(60)]
    groups = group(problems, {}, {}, T0 + timedelta(minutes=1))
    assert [(g.account_id, g.new, len(g.problems)) for g in groups] == [
        (1, True, 30),
        (2, True, 30),
    ]


def test_a_backlog_still_landing_waits_then_goes_out_at_most_gather_max_late() -> None:
    problems = [late(1), late(2, at=T0 + timedelta(seconds=5))]
    assert group(problems, {}, {}, T0 + timedelta(seconds=10)) == []
    assert len(group(problems, {}, {}, T0 + timedelta(seconds=26))) == 1
    trickle = [late(i, at=T0 + timedelta(seconds=10 * i)) for i in range(13)]
    assert len(group(trickle, {}, {}, T0 + timedelta(seconds=121))) == 1


def test_more_of_the_same_episode_is_filed_silently() -> None:
    stored = {1: Episode(3, T0)}
    [g] = group([late(7, at=T0 + timedelta(minutes=3))], stored, {}, T0 + timedelta(minutes=4))
    assert (g.seq, g.new) == (3, False)


def test_after_recovery_a_new_episode_is_announced() -> None:
    stored = {1: Episode(3, T0)}
    again = T0 + timedelta(minutes=20)
    on_time = {1: [T0 + timedelta(minutes=10)]}
    [g] = group([late(8, at=again)], stored, on_time, again + timedelta(minutes=1))
    assert (g.seq, g.new) == (4, True)
    quiet = T0 + POLICY.quiet
    [g] = group([late(9, at=quiet)], stored, {}, quiet + timedelta(minutes=1))
    assert (g.seq, g.new) == (4, True)


def test_an_on_time_post_inside_the_backlog_does_not_split_it() -> None:
    stored = {1: Episode(1, T0)}
    soon = T0 + timedelta(seconds=2)
    [g] = group([late(5, at=soon)], stored, {1: [T0 + timedelta(seconds=1)]}, soon + POLICY.settle)
    assert (g.seq, g.new) == (1, False)


def test_a_batch_spanning_a_recovery_is_two_groups() -> None:
    later = T0 + timedelta(hours=2)
    groups = group([late(1), late(2, at=later)], {}, {}, later + timedelta(minutes=1))
    assert [(g.seq, g.new, len(g.problems)) for g in groups] == [(1, True, 1), (2, True, 1)]


def test_the_message_lists_posts_by_kind_capped_in_chinese() -> None:
    g = Group(1, 1, True, [late(i) for i in range(60)])
    g.problems.append(late(99, kind="publication_needs_check"))
    text = describe(g, "长春民政", "ccmz_wechat")
    assert "账号「长春民政」（ccmz_wechat）" in text and "61 篇发布异常" in text
    assert "延迟发布 60 篇：#100「民政动态0」" in text and "#104「民政动态4」等 60 篇" in text
    assert "#105" not in text
    assert "待人工核对 1 篇：#199「民政动态99」" in text and "等 1 篇" not in text
    assert "newmedia publications settle" in text and "撤回 发布号" in text
    assert len(text.encode()) < 2048  # one WeCom text message


def test_the_episode_key_names_account_and_number() -> None:
    assert episode_key("ccmz_wechat", 2) == "publication_episode:ccmz_wechat:2"
