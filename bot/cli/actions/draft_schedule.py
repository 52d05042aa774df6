"""``newmedia draft reschedule|cancel``: move or stop a draft's publication before it goes out
(the rules and the guarded changes are ``review.schedule_changes``)."""

from __future__ import annotations

import argparse

from bot.cli.actions.common import open_services, person_arg
from bot.cli.actions.runner import CliError
from review import schedule_changes
from review.timefmt import parse_local


async def reschedule(args: argparse.Namespace) -> int:
    try:
        when = parse_local(args.at)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.as_person)
        message = await schedule_changes.reschedule(session, args.id, person, when)
    print(message)
    return 0


async def cancel(args: argparse.Namespace) -> int:
    async with open_services(args) as services, services.sessions.begin() as session:
        person = await person_arg(session, args.as_person)
        message = await schedule_changes.cancel_draft(session, args.id, person)
    print(message)
    return 0
