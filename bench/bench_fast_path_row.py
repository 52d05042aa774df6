"""The callback's pure fast path (``new_row`` + ``passive_text``) per message: with the topic
guess that makes the acknowledgement promise each topic's deadline, against the same work with
no per-topic days (no guess: the baseline), in the same run. Texts of default-days topics pass
the guess's prefilter only; texts naming a topic with other days run the full guess.

    python bench/bench_fast_path_row.py [--n 3000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channels.base import IncomingMessage, Platform
from review.keyword_answers import default_keyword_answers
from review.replies_fast import InboxPolicy, new_row, passive_text
from review.store.inbox_rows import StoredMessage

NOW = datetime(2026, 12, 3, 8, tzinfo=UTC)
TOPIC_DAYS = {"社会救助": 3, "养老服务": 3, "儿童福利与未成年人保护": 2, "婚姻登记": 5}
TEXTS = {
    "default-days topics": ["我家老人想申请入住养老院", "低保金这个月没有到账", "公墓收费标准"],
    "other-days topics": ["想办理离婚登记，需要带什么", "村里有个孤儿没人照顾", "收养登记流程"],
}


def runner(policy: InboxPolicy, texts: list[str], n: int) -> Callable[[], None]:
    keywords = default_keyword_answers()
    msgs = [
        IncomingMessage(Platform.WECHAT, "a", f"k{i}", "o", NOW, "text", f"{texts[i % 3]}（{i}）")
        for i in range(n)
    ]

    def run() -> None:
        for i, msg in enumerate(msgs):
            row = new_row(msg, 1, NOW, policy, keywords)
            stored = StoredMessage(
                i, row["status"], row["text"], "text", None, row["deadline_at"],
                row["deadline_note"], row["close_reason"], row["received_at"],
            )  # fmt: skip
            passive_text(stored, "长春民政", keywords, None, policy)

    run()  # warm the caches
    return run


def best_of(runs: list[Callable[[], None]], repeat: int, n: int) -> list[float]:
    """µs per message, best of ``repeat``, the variants alternating (the machine is shared)."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for k, run in enumerate(runs):
            best[k] = min(best[k], timeit.timeit(run, number=1))
    return [b / n * 1e6 for b in best]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    base = InboxPolicy()
    guessing = InboxPolicy(topic_days=TOPIC_DAYS)
    for name, texts in TEXTS.items():
        runs = [runner(base, texts, args.n), runner(guessing, texts, args.n)]
        b, g = best_of(runs, args.repeat, args.n)
        print(
            f"{name:22} baseline {b:5.1f} µs  with guess {g:5.1f} µs  (+{g - b:.1f} µs, {g / b:.2f}×)"
        )


if __name__ == "__main__":
    main()
