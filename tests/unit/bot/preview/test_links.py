"""Signed preview links: a genuine one opens, any change to what it names or to its signature
is refused as forged, and an expired one is refused as expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.preview import links

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
KEY = links.link_key("k" * 48)


def test_a_genuine_token_names_its_revision_platform_and_viewer() -> None:
    token = links.sign(KEY, 41, "weibo", 7, NOW)
    grant = links.verify(KEY, token, NOW + links.TTL - timedelta(seconds=1))
    assert (grant.revision_id, grant.platform, grant.viewer_id) == (41, "weibo", 7)
    assert grant.expires_at == NOW + links.TTL


@pytest.mark.parametrize("part", [0, 1, 2, 3, 4])
def test_changing_any_part_is_refused_as_forged(part: int) -> None:
    pieces = links.sign(KEY, 41, "wechat", 7, NOW).split(".")
    pieces[part] = {0: "42", 1: "weibo", 2: "8", 3: str(int(pieces[3]) + 3600)}.get(part, "B" * 22)
    with pytest.raises(links.LinkRefused) as refused:
        links.verify(KEY, ".".join(pieces), NOW)
    assert not refused.value.expired and "无效" in refused.value.message


def test_another_key_and_garbage_are_refused() -> None:
    token = links.sign(KEY, 41, "wechat", 0, NOW)
    other = links.link_key("another-secret-key-of-enough-length-0123456789")
    for key, text in ((other, token), (KEY, "../../settings.toml"), (KEY, "")):
        with pytest.raises(links.LinkRefused):
            links.verify(key, text, NOW)


def test_an_expired_token_is_refused_as_expired_and_says_what_to_do() -> None:
    token = links.sign(KEY, 41, "wechat", 0, NOW)
    with pytest.raises(links.LinkRefused) as refused:
        links.verify(KEY, token, NOW + links.TTL)
    assert refused.value.expired and "查看" in refused.value.message


def test_the_key_is_not_the_session_secret_and_the_url_carries_no_secret() -> None:
    secret = "s" * 48
    assert links.link_key(secret) != secret.encode()
    url = links.preview_url(
        "https://bot.example.cn/", links.sign(links.link_key(secret), 1, "wechat", 0, NOW)
    )
    assert url.startswith("https://bot.example.cn/preview/1.wechat.0.") and secret not in url
