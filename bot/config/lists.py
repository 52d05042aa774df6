"""The bureau's word lists from the settings, for the gate of the service and of the CLI.

``load_settings`` only anchors the paths (it stays quick for commands that never run the gate);
this module builds :class:`review.checks.bureau_lists.BureauLists` from them and installs it so
every gate run of the process reads the current lists: the service (``bot.app``, which also
runs :func:`check_lists` as a tick), ``newmedia check`` and ``draft edit``/``submit``. A broken
file is a :class:`SettingsError` naming the file, the line and the problem, as the start-up
check words it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from bot.config.load import Settings
from bot.config.problems import SettingsError
from review.checks import LexiconError
from review.checks.bureau_lists import BureauLists, BureauPaths, check_installed, installed


def bureau_lists(settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> BureauLists:
    """The shipped lists plus the files of ``[lists]``; raises :class:`SettingsError`."""
    lists = settings.lists
    paths = BureauPaths(lists.wording, lists.public_numbers, lists.duties)
    try:
        return BureauLists(paths, check_s=lists.check_s, clock=clock)
    except LexiconError as exc:
        raise SettingsError(settings.path, [f"[lists] {exc}"]) from None


@contextmanager
def gate_lists(
    settings: Settings, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[BureauLists]:
    """While inside, the process's gate runs read the shipped lists plus the bureau's."""
    with installed(bureau_lists(settings, clock=clock)) as lists:
        yield lists


@asynccontextmanager
async def command_lists(settings: Settings) -> AsyncIterator[None]:
    """For a command that runs the gate: the bureau's lists when ``[lists]`` names any."""
    if not settings.lists.configured:
        yield
        return
    with gate_lists(settings):
        yield


async def check_lists(_app: object) -> None:
    """The service's tick, every ``[lists] check_seconds``: the files are looked at though no
    draft is checked, so a broken edit is logged and shows in ``/healthz`` within that time."""
    check_installed()
