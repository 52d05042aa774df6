"""A command's handler named, not imported: ``newmedia --help`` builds the whole parser from
light modules, and a command loads its work (SQLAlchemy, the gate and jieba, aiohttp …) only
when it runs. Measured: every command paid ~1 s of imports when the parser imported them all
(figures in ``docs/benchmarks.md``, "Command-line start-up")."""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass

RUNNER = "bot.cli.actions.runner"


@dataclass(frozen=True)
class Lazy:
    """``module`` under ``bot.cli.actions``, ``function`` in it (sync, or async and run)."""

    module: str
    function: str

    def __call__(self, args: argparse.Namespace) -> int:
        runner = importlib.import_module(RUNNER)
        code: int = runner.run(self.module, self.function, args)
        return code


def lazy(module: str, function: str) -> Lazy:
    """The handler for ``set_defaults(handler=…)``: ``lazy("draft", "new")`` runs
    ``bot.cli.actions.draft.new(args)`` when the command is given."""
    return Lazy(module, function)
