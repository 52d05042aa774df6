"""``newmedia sandbox follower ACCOUNT "text"``: be a citizen. Sends a correctly signed (and, in
the account's mode, encrypted) message to the RUNNING service, as WeChat's servers would, and
prints the passive reply the citizen would see. ``newmedia sandbox comment``: a reader comments
under an article of the running demo (``/sandbox/wechat/_follower/comment``)."""

from __future__ import annotations

import argparse

import aiohttp

from bot.cli.actions.common import open_services
from bot.cli.actions.runner import CliError, settings_from
from channels.sandbox.follower import Follower
from review.models import Publication
from review.states import PUBLICATION_LABELS, PublicationStatus
from review.store import directory


async def follower(args: argparse.Namespace) -> int:
    settings = settings_from(args, for_service=True)  # it signs as WeChat does
    account = settings.accounts.get(args.account)
    if account is None or account.platform != "wechat":
        known = "、".join(k for k, a in settings.accounts.items() if a.platform == "wechat")
        raise CliError(f"未知的公众号「{args.account}」（可选：{known}）")
    secrets = settings.secrets[args.account]
    url = args.url or settings.file.service.public_url
    follower = Follower(
        url, args.account, secrets.token, secrets.aes_key or None, account.app_id,
        mode=account.callback_mode, openid=args.openid,
    )  # fmt: skip
    try:
        if args.event:
            reply = await follower.send_event(args.event)
        else:
            reply = await follower.send_text(args.text)
    except OSError as exc:
        raise CliError(f"无法连接 {url}（服务是否已用 newmedia serve 启动？）：{exc}") from None
    if reply.status != 200:
        raise CliError(f"服务返回 {reply.status}：{reply.body.decode('utf-8', 'replace')[:200]}")
    print(reply.text if reply.text is not None else "（无回复内容：success）")
    return 0


async def comment(args: argparse.Namespace) -> int:
    """A reader comments under a published article of the running demo's sandbox (WeChat calls
    no server when someone comments: the service's pull finds it). The article is named by its
    publication number; its ``msg_data_id`` is in what the platform answered."""
    settings = settings_from(args)
    url = (args.url or settings.file.service.public_url).rstrip("/")
    async with open_services(args) as services, services.sessions() as session:
        pub = await session.get(Publication, args.publication)
        account = await directory.account_by_id(session, pub.account_id) if pub else None
    if pub is None or account is None:
        raise CliError(f"发布 {args.publication} 不存在（newmedia publications list 列出发布号）")
    msg_data_id = (pub.receipt_extra or {}).get("msg_data_id")
    if account.platform != "wechat" or not msg_data_id:
        raise CliError(
            f"发布 {args.publication} 不是已发出的公众号文章，不能留言"
            f"（账号「{account.name}」，{PUBLICATION_LABELS.get(PublicationStatus(pub.status))}）"
        )
    payload = {
        "account": account.key, "msg_data_id": msg_data_id,
        "index": int(pub.receipt_extra.get("comment_index") or 1),
        "openid": args.openid, "content": args.text,
    }  # fmt: skip
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{url}/sandbox/wechat/_follower/comment", json=payload) as r,
        ):
            answer = await r.json(content_type=None)
    except (OSError, aiohttp.ClientError, ValueError) as exc:
        raise CliError(f"无法连接 {url}（演示服务是否已用 newmedia serve 启动？）：{exc}") from None
    if answer.get("errcode") != 0:
        raise CliError(f"沙箱拒绝留言：{answer.get('errmsg')}（文章不存在或未开启留言）")
    print(f"已留言（user_comment_id {answer['user_comment_id']}）；服务下次拉取留言时收到。")
    return 0
