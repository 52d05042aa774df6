"""``serve --port`` on a port other than ``public_url``'s: the console and the CLI would look
for the service elsewhere, so serve says so (a newcomer's console sign-in answered 403 「请打开
http://127.0.0.1:8080/console/login」 while the service ran on 8391)."""

from __future__ import annotations

from bot.cli.actions.serve import public_url_mismatch


def test_another_local_port_is_named_with_the_fix() -> None:
    said = public_url_mismatch("http://127.0.0.1:8080", 8391)
    assert said is not None
    assert "http://127.0.0.1:8080" in said and "http://127.0.0.1:8391" in said


def test_the_same_port_or_a_proxy_says_nothing() -> None:
    assert public_url_mismatch("http://127.0.0.1:8080", 8080) is None
    assert public_url_mismatch("http://localhost:8080/", 8080) is None
    assert public_url_mismatch("https://newmedia.mzj.example.gov.cn", 8080) is None
