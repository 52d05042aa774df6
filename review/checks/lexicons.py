"""Load every data file of the gate once per process, and the jieba tokenizer that knows our terms.

The data files sit beside this module; :func:`load_lexicons` reads a directory (tests pass their
own), :func:`shipped_lexicons` caches the shipped one. :func:`default_lexicons` is what the gate
uses: the shipped lists, or — once the service or the CLI installed a source with
:func:`use_source` — the shipped lists plus the bureau's own files
(:mod:`review.checks.bureau_lists`), re-read when they are edited.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba

from review.checks.deid_people import TAGGER
from review.checks.list_files import BUILTIN, read_numbers, read_toml
from review.checks.personal_data import PersonalDataLexicon
from review.checks.relevance import DutyLexicon, parse_duties
from review.checks.secrecy import SecrecyLexicon, parse_secrecy
from review.checks.wording import WordingLexicon, list_label, parse_wording

DATA_DIR = Path(__file__).parent
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: jieba's own block pattern (``re_han_default``): it segments each such run independently
_JIEBA_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
_jieba_lock = threading.Lock()


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, BUILTIN)[0]


def _read_lines(path: Path) -> list[str]:
    """Non-empty lines with ``#`` comments removed."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


class Tokenizer:
    """A private jieba tokenizer (the global one is left alone) with the lexicon's terms added."""

    def __init__(self, terms: Iterable[str]) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        every = {t for t in terms if t}
        self._terms = sorted(t for t in every if _CJK.search(t))
        # a block can hold a term only if it contains the term's first two characters
        self._heads = frozenset(t[:2] for t in every)
        self._ready = False

    def extended(self, terms: Iterable[str]) -> Tokenizer:
        """A tokenizer with more terms, built from this one's loaded dictionary (a copy of its
        word frequencies: ~0.1 s) instead of jieba's file (~1.5 s and the memory again) — so
        an edit of the bureau's duty terms does not stall the gate run that picks it up."""
        self.warm_up()
        fresh = Tokenizer(set(self._terms) | set(terms))
        with _jieba_lock:
            fresh._tk.FREQ = dict(self._tk.FREQ)
            fresh._tk.total = self._tk.total
            fresh._tk.initialized = True
            for term in fresh._terms:
                fresh._tk.add_word(term)
            fresh._ready = True
        return fresh

    def warm_up(self) -> None:
        """Load jieba's dictionary now (it is otherwise loaded on the first call)."""
        if not self._ready:
            self._init()

    def _init(self) -> None:
        with _jieba_lock:
            if not self._ready:
                self._tk.initialize()
                for term in self._terms:
                    self._tk.add_word(term)
                self._ready = True

    def __call__(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) for every word of a block that contains a lexicon term.

        jieba segments each run of Han/alphanumeric characters on its own, so cutting only the
        runs where some term occurs as a substring yields exactly the words it would have
        yielded there — and skips most of the text. Other runs cannot hold a term."""
        if not self._ready:
            self._init()
        for block in _JIEBA_BLOCK.finditer(text):
            run = block.group()
            heads = self._heads
            if not any(run[i : i + 2] in heads for i in range(len(run))):
                continue
            offset = block.start()
            for word, start, end in self._tk.tokenize(run, HMM=False):
                yield word, start + offset, end + offset


@dataclass(frozen=True)
class Lexicons:
    duties: DutyLexicon
    wording: WordingLexicon
    secrecy: SecrecyLexicon
    personal: PersonalDataLexicon
    reprint_whitelist: frozenset[str]
    tokenizer: Tokenizer


def load_lexicons(directory: Path | None = None) -> Lexicons:
    """Read the gate's data files from ``directory`` (default: beside this module)."""
    d = directory or DATA_DIR
    duties = parse_duties(_read_toml(d / "duties.toml"))
    public = read_numbers(d / "public_numbers.txt")
    surnames: set[str] = set()
    for line in _read_lines(d / "surnames.txt"):
        if len(line) == 2:  # a compound surname (复姓)
            surnames.add(line)
        else:
            surnames.update(line)
    tokenizer = Tokenizer(duties.all_terms())
    tokenizer.warm_up()  # so that run_gate does no I/O after this
    TAGGER.warm_up(tokenizer._tk)  # jieba part-of-speech tags for personal_data, same dict
    return Lexicons(
        duties=duties,
        wording=parse_wording(*read_toml(d / "wording.toml", list_label(BUILTIN))),
        secrecy=parse_secrecy(_read_toml(d / "secrecy.toml")),
        personal=PersonalDataLexicon(public, frozenset(surnames)),
        reprint_whitelist=frozenset(_read_lines(d / "reprint_whitelist.txt")),
        tokenizer=tokenizer,
    )


@functools.cache
def shipped_lexicons() -> Lexicons:
    """The shipped lexicons, loaded on first use and kept for the life of the process."""
    return load_lexicons()


#: where :func:`default_lexicons` gets the current lists from (None: the shipped ones)
_source: Callable[[], Lexicons] | None = None


def use_source(source: Callable[[], Lexicons] | None) -> Callable[[], Lexicons] | None:
    """Make ``source`` what the gate reads from now on; returns the previous one (to restore)."""
    global _source
    previous, _source = _source, source
    return previous


def default_lexicons() -> Lexicons:
    """The lists the gate applies now: the shipped ones, plus the bureau's once installed."""
    source = _source
    return shipped_lexicons() if source is None else source()
