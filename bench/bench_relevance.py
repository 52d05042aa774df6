"""Duty relevance on real posts from other cities (issue 13): how often the gate lets an
off-duty post through, blocks an on-duty one, or only warns on an off-duty one.

The cases (``bench/data/relevance_*.jsonl``) are short paraphrases of public posts by government
accounts of other cities, each with its source URL, the acting agency and the kind of text. They
were split before any tuning: every third case (the 3rd, 6th, ...) is held out. Usage::

    python bench/bench_relevance.py                 # both parts, figures only
    python bench/bench_relevance.py --part dev -v   # the dev part with every misjudged case
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from review.checks import default_lexicons, normalize  # noqa: E402
from review.checks.relevance import check_relevance  # noqa: E402

DATA = ROOT / "bench" / "data"
PARTS = {"dev": DATA / "relevance_dev.jsonl", "heldout": DATA / "relevance_heldout.jsonl"}
TARGETS = "targets: off-duty passed <= 5 %, on-duty blocked <= 2 %, off-duty blocked >= 80 %"


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} % ({a}/{b})" if b else "  n/a"


def run(part: str, verbose: bool) -> dict[str, Counter[str]]:
    lex = default_lexicons()
    counts: dict[str, Counter[str]] = {"on": Counter(), "off": Counter()}
    rows = [json.loads(x) for x in PARTS[part].read_text(encoding="utf-8").splitlines() if x]
    start = time.perf_counter()
    for row in rows:
        r = check_relevance(
            normalize(row.get("title", "")),
            normalize(row["text"]),
            "工作动态",
            lex.duties,
            lex.tokenizer,
        )
        counts[row["label"]][str(r.verdict)] += 1
        wrong = (row["label"] == "on" and str(r.verdict) != "pass") or (
            row["label"] == "off" and str(r.verdict) != "block"
        )
        if verbose and wrong:
            print(f"  {row['id']} {row['label']}->{r.verdict}  [{row['actor']}] {r.reason}")
    elapsed = time.perf_counter() - start
    on, off = counts["on"], counts["off"]
    n_on, n_off = sum(on.values()), sum(off.values())
    print(f"{part}: {len(rows)} cases ({n_on} on-duty, {n_off} off-duty), {elapsed * 1000:.0f} ms")
    print(f"  on-duty  pass/warn/block: {on['pass']}/{on['warn']}/{on['block']}")
    print(f"  off-duty pass/warn/block: {off['pass']}/{off['warn']}/{off['block']}")
    print(f"  off-duty passed:          {pct(off['pass'], n_off)}   target <= 5 %")
    print(f"  on-duty blocked:          {pct(on['block'], n_on)}   target <= 2 %")
    print(f"  off-duty blocked:         {pct(off['block'], n_off)}   target >= 80 %")
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["dev", "heldout", "both"], default="both")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misjudged cases")
    args = ap.parse_args()
    print(TARGETS)
    for part in ("dev", "heldout") if args.part == "both" else (args.part,):
        run(part, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
