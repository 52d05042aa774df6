"""Per-callback cost of the protocol layer: open_post + reply_text for an AES text message.

Baseline in the same run: the plain wechatpy path (check_signature, decrypt_message,
parse_message, create_reply, encrypt_message) doing the same work without our hardening.

    python bench/bench_callback_crypto.py [--n 20000]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from channels.crypto import sha1_signature
from channels.sandbox.follower import Follower
from channels.sandbox.phone import ReviewerPhone
from channels.wechat.callback import OACallback
from channels.wecom.callback import WeComCallback

TOKEN, KEY, APPID, NOW = "benchtoken", "A" * 42 + "E", "wx_bench", 1_700_000_000.0
TEXT = "您好，我想咨询一下高龄津贴的申请条件和需要准备的材料，谢谢。"


def per_op_us(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(n, 500)):  # warm-up
        fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    n = parser.parse_args().n

    follower = Follower("http://x", "main", TOKEN, KEY, APPID, "aes", clock=lambda: NOW)
    query, body = follower.build_request(follower.text_xml(TEXT, msg_id=1))
    cb = OACallback(TOKEN, KEY, APPID, account_key="main")

    def ours() -> bytes:
        opened = cb.open_post(query, body, NOW)
        return cb.reply_text(opened, "已收到，工单号 A-1，我们将在3个工作日内答复。", NOW)

    crypto = WeChatCrypto(TOKEN, KEY, APPID)

    def baseline() -> str:
        check_signature(TOKEN, query["signature"], query["timestamp"], query["nonce"])
        xml = crypto.decrypt_message(
            body, query["msg_signature"], query["timestamp"], query["nonce"]
        )
        msg = parse_message(xml)
        reply = create_reply("已收到，工单号 A-1，我们将在3个工作日内答复。", msg).render()
        return str(crypto.encrypt_message(reply, query["nonce"], query["timestamp"]))

    phone = ReviewerPhone("http://x", "r", TOKEN, KEY, "ww_bench", 1, "u", clock=lambda: NOW)
    wq, _ = phone.build_request("<xml/>")
    echostr = phone._cipher.encrypt(b"1288432023552776189")
    sig = sha1_signature(TOKEN, wq["timestamp"], wq["nonce"], echostr)
    wecom = WeComCallback(TOKEN, KEY, "ww_bench")

    def verify() -> str:
        return wecom.verify_get(sig, wq["timestamp"], wq["nonce"], echostr, NOW)

    ours_us, base_us = per_op_us(ours, n), per_op_us(baseline, n)
    print(f"python {platform.python_version()} on {platform.machine()}, n={n}, best of 3")
    print(f"OA open_post+reply_text (AES text): {ours_us:7.1f} µs/op  ({1e6 / ours_us:,.0f}/s)")
    print(
        f"wechatpy baseline, same work:       {base_us:7.1f} µs/op  ratio {ours_us / base_us:.2f}"
    )
    print(f"WeCom verify_get (encrypted echo):  {per_op_us(verify, n):7.1f} µs/op")


if __name__ == "__main__":
    main()
