"""``newmedia publications retract`` and ``correct``: they call the platform and the gate, so
they live apart from the listing, which loads neither (start-up time, ``bot.cli.lazy``)."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services
from bot.config.lists import command_lists
from bot.publishing import service


async def retract(args: argparse.Namespace) -> int:
    """Retract and correct call the platform: the same services as the web service, no HTTP."""
    async with open_services(args, channels=True) as services:
        message = await service.retract(
            services,
            args.id,
            args.person,
            args.reason,
            correct_with=f"运行 newmedia publications correct {{id}} --as {args.person}",
        )
    print(message)
    return 0


async def correct(args: argparse.Namespace) -> int:
    async with open_services(args, channels=True) as services, command_lists(services.settings):
        message = await service.correct(services, args.id, args.person, args.correction or "")
    print(message)
    return 0
