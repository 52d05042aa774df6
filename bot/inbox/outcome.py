"""What a staff action on a citizen's message came to: the Chinese text every surface shows, and
whether it was done. An answer that did not go out (the reply window shut, the platform down) or
a comment the platform refused is ``ok=False``: chat and the console show the same words, the
command line also exits non-zero so a script or an operator sees that it failed.

It is the text itself (a ``str``), so chat, the console and their tests keep using it as one;
only the command line asks ``ok``.
"""

from __future__ import annotations


class Outcome(str):
    ok: bool

    def __new__(cls, text: str, ok: bool = True) -> Outcome:
        made = super().__new__(cls, text)
        made.ok = ok
        return made

    @property
    def text(self) -> str:
        return str(self)
