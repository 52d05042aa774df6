"""``newmedia doctor``: gather the facts, apply the rules, print the report (text or JSON)."""

from __future__ import annotations

import argparse
import os

from bot.cli.actions.output import print_json
from bot.doctor.findings import exit_code
from bot.doctor.gather import gather
from bot.doctor.report import as_json, evaluate, render_text


async def doctor(args: argparse.Namespace) -> int:
    facts = await gather(getattr(args, "settings", None), os.environ, max(0.1, args.timeout))
    findings = evaluate(facts)
    if args.json:
        print_json(as_json(findings))
    else:
        print(render_text(findings))
    return exit_code(findings)
