"""WeCom app sender against the sandbox: token cache, refresh once, errors, template cards."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_env import Env

from channels.base import AuthExpired, Rejected, Transient
from channels.wecom.api import WeComAPI


@pytest.fixture
async def wecom(env: Env) -> Any:
    corp = env.sandbox.config.wecom[0]
    api = WeComAPI(corp.corpid, corp.corpsecret, corp.agentid, base_url=env.url("wecom"))
    yield api
    await api.close()


async def test_text_and_markdown_reach_the_reviewer(env: Env, wecom: WeComAPI) -> None:
    await wecom.send_text(["zhangsan"], "草稿 #12 待审核")
    result = await wecom.send_markdown(["zhangsan", "ghost"], "**草稿 #12** 待审核")
    assert result.invalid_users == ("ghost",)
    inbox = env.sandbox.wecom.messages_to(env.sandbox.config.wecom[0].corpid, "zhangsan")
    assert [m.msgtype for m in inbox] == ["text", "markdown"]
    assert env.sandbox.recorder.count("cgi-bin/gettoken") == 1  # cached
    assert "corpsecret" not in env.sandbox.recorder.find(endpoint="cgi-bin/gettoken")[0].params


async def test_expired_token_refreshes_once(env: Env, wecom: WeComAPI) -> None:
    await wecom.send_text(["lisi"], "一")
    env.sandbox.wecom.expire_tokens(wecom.corpid)
    await wecom.send_text(["lisi"], "二")
    results = [r.result for r in env.sandbox.recorder.find(endpoint="cgi-bin/message/send")]
    assert results == [0, 42001, 0]
    env.sandbox.faults.fail_next("cgi-bin/message/send", 2, errcode=40014)
    with pytest.raises(AuthExpired):
        await wecom.send_text(["lisi"], "三")


async def test_all_recipients_invalid_is_rejected(wecom: WeComAPI) -> None:
    with pytest.raises(Rejected) as info:
        await wecom.send_text(["nobody"], "x")
    assert info.value.code == 81013


@pytest.mark.parametrize(
    ("code", "kind"), [(60020, Rejected), (-1, Transient), (40001, AuthExpired)]
)
async def test_error_mapping(env: Env, wecom: WeComAPI, code: int, kind: type[Exception]) -> None:
    env.sandbox.faults.fail_next("cgi-bin/message/send", errcode=code, platform="wecom")
    with pytest.raises(kind):
        await wecom.send_text(["zhangsan"], "x")


async def test_wrong_secret_is_auth_expired(env: Env) -> None:
    corp = env.sandbox.config.wecom[0]
    api = WeComAPI(corp.corpid, "wrong", corp.agentid, base_url=env.url("wecom"))
    try:
        with pytest.raises(AuthExpired):
            await api.send_text(["zhangsan"], "x")
    finally:
        await api.close()


async def test_review_card_click_and_update(env: Env, wecom: WeComAPI) -> None:
    result = await wecom.send_review_card(
        ["zhangsan", "lisi"],
        task_id="draft-12-v3",
        title="待审核：冬季救助通知",
        description="社会救助处 · 第1级审核",
        approve_key="approve:12",
        reject_key="reject:12",
        fields=[("编辑", "王五")],
    )
    assert result.response_code
    sent = env.sandbox.recorder.find(endpoint="cgi-bin/message/send")[0].params
    card = sent["template_card"]
    assert card["card_type"] == "button_interaction" and card["task_id"] == "draft-12-v3"
    assert [b["key"] for b in card["button_list"]] == ["approve:12", "reject:12"]
    event = env.sandbox.wecom.click(wecom.corpid, "zhangsan", "draft-12-v3", "approve:12")
    assert event["EventKey"] == "approve:12" and event["Event"] == "template_card_event"
    await wecom.update_card_buttons(["zhangsan"], event["ResponseCode"], "已通过")
    inbox = env.sandbox.wecom.messages_to(wecom.corpid, "zhangsan")
    assert inbox[-1].replaced_name == "已通过"
    with pytest.raises(Rejected):  # a response_code is good for one update only
        await wecom.update_card_buttons(["zhangsan"], event["ResponseCode"], "已通过")
    with pytest.raises(Rejected):  # task_id is unique per app
        await wecom.send_review_card(
            ["lisi"],
            task_id="draft-12-v3",
            title="t",
            description="d",
            approve_key="approve:12",
            reject_key="reject:12",
        )
