"""The bureau's own word lists, beside ``settings.toml``, added to the shipped ones.

Three files, each optional (``[lists]`` in the settings): the 错敏词表 (more entries, leaders and
the order of titles, contextual exceptions, and ``[[disable]]`` to switch a shipped entry off
explicitly), the public numbers (the bureau's hotlines and its units' numbers: not personal
data) and extra duty terms. The shipped lists stay in the package and are never edited for a
bureau. Each file is validated (a Chinese error naming file, line and problem) and re-read when
its mtime changes (:class:`review.watched_file.WatchedFile`): a broken edit keeps the last good
lists, and :attr:`BureauLists.problems` says why.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.checks.leaders import parse_leaders
from review.checks.lexicons import Lexicons, shipped_lexicons, use_source
from review.checks.list_files import (
    BUREAU,
    LexiconError,
    ListFile,
    only_keys,
    read_numbers,
    read_toml,
    strings_of,
    tables,
    text_of,
)
from review.checks.relevance import Area, DutyLexicon, Elsewhere
from review.checks.wording import (
    WordingLexicon,
    list_label,
    make_lexicon,
    parse_entries,
)
from review.checks.wording_context import parse_contexts
from review.watched_file import WatchedFile

log = logging.getLogger("newmedia.checks.lists")

WORDING_TABLES = {"entry", "disable", "leader", "title_order", "context"}
DUTY_TABLES = {"area", "other"}


@dataclass(frozen=True)
class BureauPaths:
    """The bureau's files (None: that list is the shipped one alone)."""

    wording: Path | None = None
    public_numbers: Path | None = None
    duties: Path | None = None


def _no_other_tables(data: dict[str, Any], allowed: set[str], f: ListFile) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise LexiconError(
            f"{f.name}：不认识的部分 {'、'.join(unknown)}"
            f"（本文件只能写 {'、'.join(f'[[{t}]]' for t in sorted(allowed))}）"
        )


def load_bureau_wording(path: Path, shipped: WordingLexicon) -> WordingLexicon:
    """The shipped 错敏词表 with the bureau's file applied: its entries added (an entry with
    the same ``wrong`` replaces the shipped one), ``[[disable]]`` entries switched off."""
    data, f = read_toml(path, list_label(BUREAU))
    _no_other_tables(data, WORDING_TABLES, f)
    entries = dict(shipped.entries)
    for i, raw in enumerate(tables(data, f, "disable"), start=1):
        only_keys(raw, {"wrong", "reason"}, f, "disable", i)
        wrong = text_of(raw, "wrong", f, "disable", i, required=True)
        text_of(raw, "reason", f, "disable", i, required=True)  # why, for whoever reads it next
        if wrong not in shipped.entries:
            raise f.error("disable", i, f"内置错敏词表中没有“{wrong}”，无需停用")
        del entries[wrong]
    entries.update(parse_entries(data, f))
    return make_lexicon(
        entries,
        shipped.contexts + parse_contexts(data, f),
        shipped.leaders + parse_leaders(data, f),
    )


def load_bureau_duties(path: Path, shipped: DutyLexicon) -> DutyLexicon:
    """``[[area]]`` words join the area of that name (or make a new one); ``[[other]]``
    names what belongs to another department."""
    data, f = read_toml(path, BUREAU)
    _no_other_tables(data, DUTY_TABLES, f)
    areas = {a.name: a for a in shipped.areas}
    for i, raw in enumerate(tables(data, f, "area"), start=1):
        only_keys(raw, {"name", "strong", "weak"}, f, "area", i)
        name = text_of(raw, "name", f, "area", i, required=True)
        strong = frozenset(strings_of(raw, "strong", f, "area", i))
        weak = frozenset(strings_of(raw, "weak", f, "area", i))
        if not strong and not weak:
            raise f.error("area", i, "strong 和 weak 至少写一个词")
        old = areas.get(name)
        areas[name] = (
            Area(name, strong, weak)
            if old is None
            else dataclasses.replace(old, strong=old.strong | strong, weak=old.weak | weak)
        )
    elsewhere = list(shipped.elsewhere)
    for i, raw in enumerate(tables(data, f, "other"), start=1):
        only_keys(raw, {"name", "to", "terms"}, f, "other", i)
        terms = frozenset(strings_of(raw, "terms", f, "other", i))
        if not terms:
            raise f.error("other", i, "缺少 terms（属于其他部门的词）")
        elsewhere.append(
            Elsewhere(
                text_of(raw, "name", f, "other", i, required=True),
                text_of(raw, "to", f, "other", i, required=True),
                terms,
            )
        )
    return dataclasses.replace(shipped, areas=tuple(areas.values()), elsewhere=tuple(elsewhere))


def check_files(paths: BureauPaths) -> list[str]:
    """Every problem of the configured files (for the start-up check), in Chinese."""
    problems = []
    for path, load in _loaders(paths, shipped_lexicons()):
        try:
            load(path)
        except LexiconError as exc:
            problems.append(str(exc))
    return problems


def _readable(load: Callable[[Path], Any]) -> Callable[[Path], Any]:
    """A missing or undecodable file is a :class:`LexiconError` naming it, in Chinese."""

    def read(path: Path) -> Any:
        try:
            return load(path)
        except FileNotFoundError:
            raise LexiconError(f"{path}：找不到这个文件") from None
        except UnicodeDecodeError:
            raise LexiconError(f"{path.name}：不是 UTF-8 编码的文本文件") from None
        except OSError as exc:
            raise LexiconError(f"{path}：无法读取（{exc.strerror or exc}）") from None

    return read


def _loaders(paths: BureauPaths, base: Lexicons) -> list[tuple[Path, Callable[[Path], Any]]]:
    out: list[tuple[Path, Callable[[Path], Any]]] = []
    if paths.wording:
        out.append((paths.wording, lambda p: load_bureau_wording(p, base.wording)))
    if paths.public_numbers:
        out.append((paths.public_numbers, read_numbers))
    if paths.duties:
        out.append((paths.duties, lambda p: load_bureau_duties(p, base.duties)))
    return [(path, _readable(load)) for path, load in out]


class BureauLists:
    """The gate's lists now: shipped + the bureau's files, rebuilt when one of them changes."""

    def __init__(
        self,
        paths: BureauPaths,
        *,
        check_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        base: Lexicons | None = None,
    ) -> None:
        self.paths = paths
        self._base = base or shipped_lexicons()
        self._files = [
            WatchedFile(path, load, log=log, what="lists", check_s=check_s, clock=clock)
            for path, load in _loaders(paths, self._base)
        ]  # a broken file here raises: refused at start-up
        self._parts = [f.current() for f in self._files]
        self._lexicons = self._build()

    @property
    def problems(self) -> list[str]:
        """Why an edited file was not taken (the previous version still applies); each message
        names its file and line already."""
        return [f.problem for f in self._files if f.problem]

    @property
    def reloads(self) -> int:
        return sum(f.reloads for f in self._files)

    def _build(self) -> Lexicons:
        lex = self._base
        for path, part in zip((f.path for f in self._files), self._parts, strict=True):
            if isinstance(part, WordingLexicon):
                lex = dataclasses.replace(lex, wording=part)
            elif isinstance(part, DutyLexicon):
                tokenizer = self._base.tokenizer.extended(part.all_terms())
                lex = dataclasses.replace(lex, duties=part, tokenizer=tokenizer)
            elif path == self.paths.public_numbers:
                personal = lex.personal
                numbers = personal.public_numbers | part
                lex = dataclasses.replace(
                    lex, personal=dataclasses.replace(personal, public_numbers=numbers)
                )
        return lex

    def current(self) -> Lexicons:
        """The lists now, each file looked at again once ``check_s`` has passed."""
        return self._take([f.current() for f in self._files])

    def check(self) -> Lexicons:
        """Look at every file now (the tick of the service): a broken edit is logged and shows
        in :attr:`problems` though no draft was checked."""
        return self._take([f.check() for f in self._files])

    def _take(self, parts: list[Any]) -> Lexicons:
        if any(a is not b for a, b in zip(parts, self._parts, strict=True)):
            self._parts = parts
            self._lexicons = self._build()
            log.info("the gate's lists rebuilt from %s", [str(f.path.name) for f in self._files])
        return self._lexicons


_installed: list[BureauLists] = []


@contextmanager
def installed(lists: BureauLists) -> Iterator[BureauLists]:
    """While inside, every gate run of this process (``default_lexicons``) reads ``lists``."""
    previous = use_source(lists.current)
    _installed.append(lists)
    try:
        yield lists
    finally:
        _installed.remove(lists)
        use_source(previous)


def installed_problems() -> list[str]:
    """Why an edit of the installed lists was not taken (``/healthz``): the files are looked at
    first (at most once per ``check_s``), so a broken edit shows without a draft being checked."""
    if not _installed:
        return []
    _installed[-1].current()
    return _installed[-1].problems


def check_installed() -> None:
    """Look at the installed lists' files now (the service's periodic tick)."""
    if _installed:
        _installed[-1].check()
