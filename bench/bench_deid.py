"""Recall and false blocks of the personal-data check on the de-identification dev set.

Each line of ``bench/data/deid_dev.jsonl`` is a 公示/news/reply text labelled ``block`` (a private
person identifiable with a sensitive attribute, or a personal number) or ``pass`` (officials,
award winners, masked names, 化名, aggregates, 寻亲公告). Prints recall (positives blocked) and
false blocks (negatives blocked), for the full check and two ablations — without jieba's
part-of-speech tags, and numbers only (the check before issue 13) — plus the time per text.
Usage::

    python bench/bench_deid.py [--file bench/data/deid_dev.jsonl] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from review.checks import deid_people  # noqa: E402
from review.checks.lexicons import default_lexicons  # noqa: E402
from review.checks.normalize import normalize  # noqa: E402
from review.checks.personal_data import check_personal_data  # noqa: E402
from review.checks.types import Verdict  # noqa: E402


def blocked(row: dict[str, str]) -> bool:
    lex = default_lexicons().personal
    fields = [("title", normalize(row["title"])), ("body", normalize(row["text"]))]
    return check_personal_data(fields, "工作动态", lex).verdict is Verdict.BLOCK


def score(rows: list[dict[str, str]], show: bool, label: str) -> None:
    start = time.perf_counter()
    results = [(r, blocked(r)) for r in rows]
    ms = (time.perf_counter() - start) * 1000 / len(rows)
    pos = [b for r, b in results if r["label"] == "block"]
    neg = [b for r, b in results if r["label"] == "pass"]
    print(
        f"{label:<28} recall {sum(pos)}/{len(pos)} = {sum(pos) / len(pos):.0%}   "
        f"false blocks {sum(neg)}/{len(neg)} = {sum(neg) / len(neg):.0%}   {ms:.2f} ms/text"
    )
    if show:
        for r, b in results:
            if b != (r["label"] == "block"):
                kind = "missed" if r["label"] == "block" else "false block"
                print(f"  {kind}: {r['id']} [{r['category']}] {r['title']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(ROOT / "bench" / "data" / "deid_dev.jsonl"))
    ap.add_argument("--show", action="store_true", help="list the cases the check gets wrong")
    args = ap.parse_args()
    rows = [json.loads(x) for x in Path(args.file).read_text(encoding="utf-8").splitlines() if x]
    default_lexicons()
    deid_people.TAGGER.warm_up()
    print(f"{args.file}: {len(rows)} cases, {sum(r['label'] == 'block' for r in rows)} positive")
    score(rows, args.show, "full check")
    for n in sorted({r.get("round", 1) for r in rows}):
        part = [r for r in rows if r.get("round", 1) == n]
        score(part, args.show, f"  round {n} ({len(part)} cases)")
    real_names = deid_people.TAGGER.names
    deid_people.TAGGER.names = lambda text: []  # type: ignore[method-assign]
    score(rows, args.show, "context rules, no POS tags")
    deid_people.TAGGER.names = real_names  # type: ignore[method-assign]
    real_find: Callable[..., list[deid_people.PersonHit]] = deid_people.find_people
    import review.checks.personal_data as pd

    pd.find_people = lambda *a: []  # type: ignore[assignment]
    score(rows, args.show, "numbers only (before)")
    pd.find_people = real_find
    unrelated(ROOT / "tests" / "data" / "relevance_devset.jsonl")
    return 0


def unrelated(path: Path) -> None:
    """Ordinary bureau posts (the relevance dev set, no private person in them): how many the
    people rule would newly block — false alarms on everyday texts."""
    lex = default_lexicons().personal
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    flagged = []
    for r in rows:
        text = normalize(f"{r.get('title', '')}\n{r.get('text', '')}").text
        if deid_people.find_people(text, lex.surnames, lex.rules):
            flagged.append(text.strip()[:40])
    print(f"ordinary posts ({path.name}) flagged by the people rule: {len(flagged)}/{len(rows)}")
    for t in flagged:
        print(f"  {t}")


if __name__ == "__main__":
    raise SystemExit(main())
