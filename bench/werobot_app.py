"""The baseline for bench_callback.py: a minimal WeRoBot app in AES mode (run under gunicorn).

It verifies, decrypts and answers with an encrypted text reply; it stores nothing.
Configured from the environment so the benchmark hands it the same account secrets as ours.
"""

from __future__ import annotations

import os

from werobot import WeRoBot

robot = WeRoBot(
    token=os.environ["BENCH_TOKEN"],
    encoding_aes_key=os.environ["BENCH_AES_KEY"],
    app_id=os.environ["BENCH_APP_ID"],
)


@robot.text
def ack(message: object) -> str:
    return "您好，您的留言已收到。"


app = robot.wsgi
