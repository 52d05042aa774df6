"""Chat commands, declared: name, slash form, arguments and what the caller needs.

A command is a small async function registered with ``@group.command(...)`` on its module's own
``Registry``; its docstring is its help text. ``bot.chat.commands`` includes the groups into the
one registry the router uses. Parsing and argument validation happen here, before anything runs;
the permission check (``bot.chat.guard``) and dispatch (``bot.chat.router``) use the declaration,
so handlers never check permissions themselves.
"""

from __future__ import annotations

import difflib
import inspect
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.chat.ports import Caller, ChatServices

ArgKind = Literal["id", "word", "text", "line"]


@dataclass(frozen=True)
class Arg:
    """``id``: a number, ``12`` or ``#12``; ``word``: one token; ``text``: the rest of the line
    exactly as typed (what a citizen or the record reads keeps its ，；（）); ``line``: the rest
    of the line normalised (a time, a search keyword)."""

    name: str
    label: str
    kind: ArgKind = "word"
    optional: bool = False

    @property
    def usage(self) -> str:
        return f"[{self.label}]" if self.optional else self.label


@dataclass(frozen=True)
class Need:
    """Checked once, centrally, before dispatch.

    ``roles``: any of these; ``task``/``message``/``publication``: the argument naming the subject
    whose department must be the caller's; ``decides``: acts as the task's stage reviewer (a head
    for a head's stage, never on one's own draft); ``claimant``: only the task's claimant;
    ``head``: the head of the task's department (reassigning). The task rules are
    ``review.eligibility``'s.
    """

    roles: tuple[str, ...] = ()
    task: str | None = None
    decides: bool = False
    claimant: bool = False
    head: bool = False
    message: str | None = None
    publication: str | None = None


@dataclass(frozen=True)
class Call:
    caller: Caller
    args: dict[str, Any]
    services: ChatServices
    registry: Registry


Handler = Callable[[Call], Awaitable[str]]


@dataclass(frozen=True)
class Command:
    name: str
    slash: str
    func: Handler
    args: tuple[Arg, ...] = ()
    need: Need = Need()
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(a.usage for a in self.args)])

    @property
    def help(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.help.splitlines()[0] if self.help else ""

    @property
    def brief(self) -> str:
        """The summary's first clause: 「帮助」 lists every command in one WeCom reply (2,048
        bytes), and the full summary of each no longer fits; 「帮助 命令」 has the rest."""
        return re.split("[；。]", self.summary, maxsplit=1)[0]


@dataclass(frozen=True)
class Parsed:
    command: Command
    args: dict[str, Any]


class ParseError(Exception):
    """Malformed or unknown input; ``message`` names the closest command and its usage."""

    def __init__(self, message: str, command: Command | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.command = command


_ID = re.compile(r"#?(\d{1,9})")


def normalize(text: str) -> str:
    """Full-width digits, ``＃`` and ``／`` typed on a phone become ASCII; spaces collapse.

    Only for what the parser reads (command words, ids, names): free text is never normalised.
    """
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    return " ".join(text.split())


def _take(rest: str) -> tuple[str, str]:
    """The next word of ``rest`` as typed (any whitespace ends it, 「　」 too) and what follows."""
    parts = rest.split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def _typed_length(typed: str, length: int) -> int:
    """How much of ``typed`` normalises to ``length`` characters (a command word typed on a
    phone, perhaps full-width, with its argument attached: ``通过１２``)."""
    for end in range(len(typed) + 1):
        if len(normalize(typed[:end])) >= length:
            return end
    return len(typed)


@dataclass
class Registry:
    commands: list[Command] = field(default_factory=list)
    _by_word: dict[str, Command] = field(default_factory=dict)

    def command(
        self,
        name: str,
        slash: str,
        *,
        args: tuple[Arg, ...] = (),
        need: Need = Need(),
        aliases: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(func: Handler) -> Handler:
            if not (func.__doc__ or "").strip():
                raise ValueError(f"command {name} needs a docstring: it is its help text")
            self._add(Command(name, slash, func, tuple(args), need, tuple(aliases)))
            return func

        return register

    def include(self, *groups: Registry) -> Registry:
        """Add each group's commands after this one's, in order (aiogram's ``include_router``).

        The groups are left as they are, so one set of command modules can make several
        registries (the service's, a test's).
        """
        for group in groups:
            for cmd in group.commands:
                self._add(cmd)
        return self

    def _add(self, cmd: Command) -> None:
        for word in (cmd.name, cmd.slash, *cmd.aliases):
            if word.lower() in self._by_word:
                raise ValueError(f"chat command word {word!r} declared twice")
            self._by_word[word.lower()] = cmd
        self.commands.append(cmd)

    def lookup(self, word: str) -> Command | None:
        return self._by_word.get(word.lower())

    def closest(self, word: str) -> Command | None:
        """The command meant: ``help`` is ``/help``; a Chinese word half typed in pinyin
        (``待shen``) is the command that starts like it, not the nearest ASCII alias."""
        typed = word.lower()
        if "/" + typed in self._by_word:
            return self._by_word["/" + typed]
        words = list(self._by_word)
        if typed and not typed[0].isascii():
            alike = [w for w in words if w.startswith(typed[0])]
            match = difflib.get_close_matches(typed, alike, n=1, cutoff=0.0)
            if match:
                return self._by_word[match[0]]
        match = difflib.get_close_matches(typed, words, n=1, cutoff=0.4)
        return self._by_word[match[0]] if match else None

    def split(self, text: str) -> tuple[str, str]:
        """(command word, normalised; the rest as typed). Chinese commands may be typed without
        a space: ``通过12``."""
        typed, rest = _take(text)
        head = normalize(typed)
        if self.lookup(head) is None and not head.startswith("/"):
            for word in sorted(self._by_word, key=len, reverse=True):
                if not word.startswith("/") and head.startswith(word):
                    attached = typed[_typed_length(typed, len(word)) :]
                    return word, f"{attached} {rest}".strip()
        return head, rest

    def parse(self, raw: str) -> Parsed:
        if not normalize(raw):
            raise ParseError(self.hint(None, "请输入命令。"))
        word, rest = self.split(raw)
        cmd = self.lookup(word)
        if cmd is None:
            raise ParseError(self.hint(self.closest(word), f"没有「{word[:12]}」这个命令。"))
        return Parsed(cmd, self._args(cmd, rest))

    def _args(self, cmd: Command, rest: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for arg in cmd.args:
            if arg.kind == "text":
                token, rest = rest.strip(), ""
            elif arg.kind == "line":
                token, rest = normalize(rest), ""
            else:
                typed, rest = _take(rest)
                token = normalize(typed)
            if not token:
                if arg.optional:
                    values[arg.name] = ""
                    continue
                raise ParseError(self.hint(cmd, f"缺少「{arg.label}」。"), cmd)
            if arg.kind == "id":
                match = _ID.fullmatch(token)
                if match is None:
                    raise ParseError(self.hint(cmd, f"「{token[:12]}」不是{arg.label}。"), cmd)
                values[arg.name] = int(match[1])
            else:
                values[arg.name] = token
        if normalize(rest):
            raise ParseError(self.hint(cmd, f"多余的内容「{normalize(rest)[:12]}」。"), cmd)
        return values

    def hint(self, cmd: Command | None, problem: str) -> str:
        if cmd is None:
            return f"{problem}\n发送「帮助」查看全部命令。"
        return f"{problem}\n用法：{cmd.usage}（或 {cmd.slash}）\n{cmd.summary}"

    def help_text(self, topic: str | None = None) -> str:
        """All commands, one line each (usage and brief); with a topic, that command's full docstring."""
        if topic:
            cmd = self.lookup(normalize(topic))
            if cmd is None:
                return self.hint(self.closest(topic), f"没有「{topic[:12]}」这个命令。")
            return f"{cmd.usage}（或 {cmd.slash}）\n{cmd.help}"
        lines = ["可用命令（编号可带 #，如 #35）："]
        lines += [f"· {c.usage} — {c.brief}" for c in self.commands]
        lines.append("发送「帮助 命令」查看详细说明，如「帮助 通过」。")
        return "\n".join(lines)
