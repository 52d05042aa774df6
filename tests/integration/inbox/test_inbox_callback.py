"""The OA callback through the real app and database: modes, dedup, bad input, replies."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from inbox_support import ACCOUNT, count_messages, follower
from sqlalchemy import select

from bot.app import create_app
from bot.config.load import Settings
from review.db import SessionFactory
from review.models import CitizenMessage, SeenNonce
from review.wordings.library import Proposal


@pytest.fixture
async def client(settings: Settings, sf: SessionFactory) -> AsyncIterator[TestClient]:
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        yield c


@pytest.mark.pg
@pytest.mark.parametrize("mode", ["aes", "compat"])
async def test_text_gets_ack_with_ticket_and_deadline(
    client: TestClient, settings: Settings, sf: SessionFactory, mode: str
) -> None:
    f = follower(client, settings, mode=mode)  # type: ignore[arg-type]
    reply = await f.send_text("我家老人想申请入住公办养老院，需要排队多久？")
    assert reply.status == 200 and reply.text is not None
    async with sf() as s:
        row = (await s.scalars(select(CitizenMessage))).one()
    assert f"受理编号：{row.id}" in reply.text and "前答复您" in reply.text
    assert row.status in ("new", "assigned") and row.deadline_at is not None
    assert row.sender == "o_citizen_1" and row.dedup_key.isdigit()


async def test_plaintext_refused_when_account_is_aes(
    client: TestClient, settings: Settings
) -> None:
    reply = await follower(client, settings, mode="plain").send_text("你好")
    assert reply.status == 403


async def test_retries_and_concurrent_duplicates_store_once_same_answer(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    import asyncio

    f = follower(client, settings)
    query, body = f.build_request(f.text_xml("咨询特困人员供养", msg_id=777001))
    replies = await asyncio.gather(*(f.post(query, body) for _ in range(5)))
    assert {r.status for r in replies} == {200}
    assert len({r.text for r in replies}) == 1
    # a WeChat retry with a new nonce (same MsgId) is the same message too
    again = await f.post(*f.build_request(f.text_xml("咨询特困人员供养", msg_id=777001)))
    assert again.text == replies[0].text
    assert await count_messages(sf) == 1


async def test_same_nonce_other_body_is_a_replay(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    f = follower(client, settings)
    q1, b1 = f.build_request(f.text_xml("第一条", msg_id=1), nonce="12345")
    q2, b2 = f.build_request(
        f.text_xml("第二条", msg_id=2), nonce="12345", timestamp=q1["timestamp"]
    )
    assert (await f.post(q1, b1)).status == 200
    assert (await f.post(q2, b2)).status == 403
    assert await count_messages(sf) == 1


async def test_events_without_msgid_once_each(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    f = follower(client, settings)
    query, body = f.build_request(f.event_xml("subscribe"))
    first = await f.post(query, body)
    assert first.text is not None and "欢迎关注「长春民政」" in first.text
    for _ in range(2):
        assert (await f.post(query, body)).text == first.text
    unsub = await f.send_event("unsubscribe")
    assert unsub.status == 200 and unsub.text is None and unsub.body == b"success"
    async with sf() as s:
        rows = (await s.scalars(select(CitizenMessage))).all()
    assert sorted(r.event or "" for r in rows) == ["subscribe", "unsubscribe"]
    assert all(r.status == "closed" for r in rows)


async def test_keyword_answer_and_outside_pointer(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    f = follower(client, settings)
    guide = await f.send_text("请问低保申请需要什么材料？")
    assert guide.text is not None and "【办事指南·低保申请材料】" in guide.text
    outside = await f.send_text("我的养老金这个月怎么少发了")
    assert (
        outside.text is not None
        and "12345" in outside.text
        and "人力资源和社会保障" in outside.text
    )
    async with sf() as s:
        rows = {r.text: r for r in (await s.scalars(select(CitizenMessage))).all()}
    assert rows["请问低保申请需要什么材料？"].status == "closed"
    assert rows["我的养老金这个月怎么少发了"].status in ("new", "assigned")


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (lambda q, b: ({**q, "signature": "0" * 40}, b), 403),
        (lambda q, b: ({**q, "msg_signature": "0" * 40}, b), 403),
        (lambda q, b: ({**q, "timestamp": str(int(q["timestamp"]) - 301)}, b), 403),
        (lambda q, b: (q, b"<xml><a>" * 20), 400),
        (lambda q, b: (q, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>'), 400),
        (lambda q, b: (q, b"<xml>" + b"x" * 70_000 + b"</xml>"), 413),
        (lambda q, b: ({k: v for k, v in q.items() if k != "nonce"}, b), 400),
    ],
    ids=["signature", "msg_signature", "stale", "nested", "entities", "oversized", "no-nonce"],
)
async def test_bad_requests_are_refused_without_storing(
    client: TestClient, settings: Settings, sf: SessionFactory, mutate: object, status: int
) -> None:
    f = follower(client, settings)
    query, body = f.build_request(f.text_xml("你好"))
    q, b = mutate(query, body)  # type: ignore[operator]
    reply = await f.post(q, b)
    assert reply.status == status
    assert b"Traceback" not in reply.body and reply.body.decode("utf-8")
    assert await count_messages(sf) == 0


async def test_unknown_account_and_get_verification(client: TestClient, settings: Settings) -> None:
    from channels.crypto import sha1_signature

    r = await client.post("/wechat/nope", data=b"<xml/>")
    assert r.status == 404 and "未知" in await r.text()
    token = settings.secrets[ACCOUNT].token
    import time

    ts, nonce = str(int(time.time())), "998877"
    ok = await client.get(
        f"/wechat/{ACCOUNT}",
        params={
            "signature": sha1_signature(token, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": "abc123",
        },
    )
    assert ok.status == 200 and await ok.text() == "abc123"
    bad = await client.get(
        f"/wechat/{ACCOUNT}",
        params={"signature": "1" * 40, "timestamp": ts, "nonce": nonce, "echostr": "x"},
    )
    assert bad.status == 403


async def test_nonces_are_remembered(
    client: TestClient, settings: Settings, sf: SessionFactory
) -> None:
    await follower(client, settings).send_text("你好", msg_id=42)
    async with sf() as s:
        nonces = (await s.scalars(select(SeenNonce))).all()
    assert len(nonces) == 1 and nonces[0].scope == ACCOUNT


async def _approve_guide(app: web.Application, entry_title: str | None, proposal: Proposal) -> None:
    """A 办事指南 change through the library: 赵敏 writes it (a new entry when ``entry_title`` is
    None), 李娜 (处室审核) and 陈静 (保密审查) approve it; the callback's snapshot follows."""
    from bot import keys
    from bot.inbox.inbound import INBOUND
    from bot.wordings import service as wordings

    services = app[keys.SERVICES]
    if entry_title is None:
        entry_id = (await wordings.create(services, "zhao_min", "guide", proposal, "office")).id
    else:
        [found] = [e for e in await wordings.listing(services, "guide") if e.title == entry_title]
        entry_id = found.id
        await wordings.edit(services, "zhao_min", entry_id, proposal)
    await wordings.submit(services, "zhao_min", entry_id)
    for person in ("li_na", "chen_jing"):
        await wordings.decide(services, person, entry_id, approve=True, note=None)
    guides = app[INBOUND].guides
    assert guides is not None
    await guides.settled()


async def test_the_guide_answers_change_only_when_the_library_approves_a_change(
    settings: Settings, sf: SessionFactory, tmp_path: Path
) -> None:
    """The file is the seed: imported at start-up, an edit of it afterwards changes nothing;
    an approved change in the 口径 library does, without a restart."""
    from dataclasses import replace

    from bot.inbox.inbound import INBOUND

    path = tmp_path / "answers.toml"
    path.write_text(settings.keyword_answers.read_text(encoding="utf-8"), encoding="utf-8")
    app = create_app(replace(settings, keyword_answers=path), run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        f = follower(c, settings)
        first = await f.send_text("请问低保申请需要什么材料？")
        assert first.text is not None and "乡镇人民政府" in first.text
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("请向户籍所在地", "（文件已改）请向户籍所在地"), "utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        app[INBOUND].answers.check_s = 0
        unchanged = await f.send_text("低保申请材料")
        assert unchanged.text is not None and "（文件已改）" not in unchanged.text
        updated = "低保申请材料（2026 年版）：身份证、户口簿、收入证明；向乡镇（街道）申请。"
        await _approve_guide(app, "低保申请材料", Proposal("低保申请材料", updated))
        second = await f.send_text("低保申请材料")
        assert second.text is not None and "2026 年版" in second.text


async def test_a_retry_is_answered_from_the_stored_row_whatever_the_library_says_now(
    settings: Settings, sf: SessionFactory
) -> None:
    """The first attempt was a guide answer (row closed); the entry is renamed before WeChat's
    retry: the retry still gets a guide reply, never a ticket nobody will answer. And a message
    stored for a person keeps its ticket even if a new entry now matches it."""
    app = create_app(settings, run_jobs=False)
    async with TestClient(TestServer(app)) as c:
        f = follower(c, settings)
        guide_req = f.build_request(f.text_xml("低保申请材料", msg_id=88001))
        person_req = f.build_request(f.text_xml("殡葬补贴怎么发放到账", msg_id=88002))
        first, person = await f.post(*guide_req), await f.post(*person_req)
        assert first.text is not None and "【办事指南·低保申请材料】" in first.text
        assert person.text is not None and "受理编号" in person.text
        renamed = Proposal("低保申请须知", "低保申请须知的新答复", ("低保须知",))
        await _approve_guide(app, "低保申请材料", renamed)
        await _approve_guide(
            app, None, Proposal("殡葬补贴", "殡葬补贴的新答复", ("殡葬补贴发放到账",))
        )
        retry, person_retry = await f.post(*guide_req), await f.post(*person_req)
        assert retry.text is not None and "【办事指南·低保申请材料】" in retry.text
        assert "受理编号" not in retry.text and "正在更新" in retry.text
        assert person_retry.text == person.text  # same ticket, not the new guide answer
        fresh = await f.send_text("殡葬补贴怎么发放到账")
        assert fresh.text is not None and "殡葬补贴的新答复" in fresh.text
