"""``newmedia``: the command line (``bot.cli.parser``); each area registers its subcommands."""

from bot.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
