"""Throughput of the compliance gate through ``newmedia check --jsonl``.

Generates a corpus of N JSON lines from the relevance dev set (each text varied and some made
longer, with personal data, wording and secrecy hits mixed in), then times, in the same run:

- baseline: the same corpus through a trivial ``json.loads``/``json.dumps`` echo filter
  (a separate Python process, like the gate);
- gate: ``python -m bot check --jsonl`` (the real CLI path, lexicons and jieba loaded once).

Prints posts/second for both and the ratio. Usage::

    python bench/bench_gate.py [--lines 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "relevance_devset.jsonl"
ECHO = (
    "import sys, json\n"
    "w = sys.stdout.write\n"
    "for line in sys.stdin.buffer:\n"
    "    if line.strip():\n"
    "        o = json.loads(line)\n"
    "        w(json.dumps({'id': o.get('id'), 'verdict': 'pass', 'checks': []},"
    " ensure_ascii=False) + '\\n')\n"
)
EXTRAS = [
    "",
    "联系人：张伟，电话13812345678。",
    "为低保户发放慰问金，截止目前已发放500户。",
    "附件为内部资料，请勿外传。",
    "详见 https://mzj.changchun.gov.cn/a/12345",
]


def make_corpus(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    rows = [json.loads(x) for x in DEVSET.read_text(encoding="utf-8").splitlines()]
    out = []
    for i in range(n):
        r = rng.choice(rows)
        text = r["text"]
        if rng.random() < 0.2:  # a longer post: several paragraphs
            text = "\n\n".join(rng.choice(rows)["text"] for _ in range(rng.randint(3, 8)))
        text += rng.choice(EXTRAS)
        out.append(
            json.dumps({"id": i, "title": r.get("title", ""), "text": text}, ensure_ascii=False)
        )
    return ("\n".join(out) + "\n").encode()


def timed(cmd: list[str], data: bytes) -> tuple[float, bytes]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, input=data, capture_output=True, cwd=ROOT, check=True)
    return time.perf_counter() - start, proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = make_corpus(args.lines)
    chars = sum(len(json.loads(x)["text"]) for x in data.splitlines())
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(ECHO)
        echo = f.name
    try:
        base = min(timed([sys.executable, echo], data)[0] for _ in range(args.repeat))
        gate_runs = [
            timed([sys.executable, "-m", "bot", "check", "--jsonl"], data)
            for _ in range(args.repeat)
        ]
    finally:
        os.unlink(echo)
    gate = min(t for t, _ in gate_runs)
    one = data.splitlines(keepends=True)[0]
    startup = min(
        timed([sys.executable, "-m", "bot", "check", "--jsonl"], one)[0] for _ in range(3)
    )
    lines = gate_runs[0][1].decode().splitlines()
    verdicts = {
        v: sum(1 for x in lines if f'"verdict":"{v}"' in x[:40]) for v in ("pass", "warn", "block")
    }
    assert len(lines) == args.lines, (len(lines), args.lines)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"corpus: {args.lines} posts, {chars / args.lines:.0f} chars/post on average; best of {args.repeat}"
    )
    print(f"verdicts: {verdicts}")
    print(f"baseline echo filter: {base:.2f} s  {args.lines / base:,.0f} posts/s")
    print(f"gate (newmedia check --jsonl): {gate:.2f} s  {args.lines / gate:,.0f} posts/s")
    steady = args.lines / max(gate - startup, 1e-9)
    print(
        f"gate start-up (1 line: imports, lexicons, jieba): {startup:.2f} s;"
        f" steady state {steady:,.0f} posts/s"
    )
    print(f"ratio gate/baseline throughput: {base / gate:.3f}  (gate is {gate / base:.1f}x slower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
