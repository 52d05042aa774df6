"""办事指南 answers for common questions, matched cheaply enough for the 5-second fast path.

A message gets a guide answer only when, stripped of punctuation and polite/question fillers,
it *is* one of the keys ("请问低保申请需要什么材料？" → "低保申请材料"). A longer message that
merely mentions 低保 is usually someone describing their case, so it goes to a person.
The packaged examples live in ``data/keyword_answers.toml``; the bureau points
``[inbox] keyword_answers_file`` at its own copy and edits it while the service runs
(:class:`KeywordAnswersFile` picks the change up within seconds, on every worker).
"""

from __future__ import annotations

import functools
import logging
import re
import time
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from review.watched_file import WatchedFile

log = logging.getLogger("newmedia.inbox.keywords")

DEFAULT_FILE = Path(__file__).parent / "data" / "keyword_answers.toml"
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class GuideAnswer:
    title: str
    answer: str


class KeywordAnswers:
    def __init__(self, entries: dict[str, GuideAnswer], fillers: tuple[str, ...]) -> None:
        # longest filler first so "怎么" goes before "么"-like fragments
        self._fillers = tuple(sorted(fillers, key=len, reverse=True))
        self._by_key = {self.canonical(k): v for k, v in entries.items()}
        self._by_title = {v.title: v for v in entries.values()}
        self._keys: dict[str, list[str]] = {}
        for key, v in entries.items():
            self._keys.setdefault(v.title, []).append(key)
        self.fillers = tuple(fillers)

    def canonical(self, text: str) -> str:
        text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()
        for filler in self._fillers:
            text = text.replace(filler, "")
        return text

    def match(self, text: str) -> GuideAnswer | None:
        if not text or len(text) > 60:
            return None
        key = self.canonical(text)
        return self._by_key.get(key) if key else None

    def by_title(self, title: str) -> GuideAnswer | None:
        return self._by_title.get(title)

    def listed(self) -> list[tuple[GuideAnswer, list[str]]]:
        """Each answer with the keys it was listed under (as written), in the file's order:
        what the 口径 library imports (``review.wordings.guide``)."""
        return [(self._by_title[t], [k for k in keys if k != t]) for t, keys in self._keys.items()]

    def __len__(self) -> int:
        return len(self._by_key)


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{where} 应为字符串列表，例如 ["低保申请", "申请低保"]')
    return [v.strip() for v in value if v.strip()]


def load_keyword_answers(path: Path | None = None) -> KeywordAnswers:
    """Raises ``ValueError`` (in Chinese, naming the place) for anything but the documented
    shape: ``fillers`` a list of strings, each ``[[entry]]`` a title, an answer, ``keys`` a
    list of strings."""
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name} 格式有误：{exc}") from exc
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list) or not all(isinstance(e, dict) for e in raw_entries):
        raise ValueError(f"{path.name}：每条须写成 [[entry]]（两层方括号）")
    entries: dict[str, GuideAnswer] = {}
    for i, entry in enumerate(raw_entries):
        title, answer = entry.get("title"), entry.get("answer")
        if not isinstance(title, str) or not isinstance(answer, str):
            raise ValueError(f"{path.name} 第 {i + 1} 条缺少 title 或 answer")
        title, answer = title.strip(), answer.strip()
        if not title or not answer:
            raise ValueError(f"{path.name} 第 {i + 1} 条缺少 title 或 answer")
        for key in [title, *_strings(entry.get("keys", []), f"{path.name} 第 {i + 1} 条的 keys")]:
            entries[key] = GuideAnswer(title, answer)
    fillers = _strings(data.get("fillers", []), f"{path.name} 的 fillers")
    return KeywordAnswers(entries, tuple(fillers))


@functools.cache
def default_keyword_answers() -> KeywordAnswers:
    return load_keyword_answers()


class KeywordAnswersFile(WatchedFile[KeywordAnswers]):
    """The answers of an editable file, read again when the file changes (see
    :class:`review.watched_file.WatchedFile`). A file caught half-saved with no entry left
    keeps the previous answers too."""

    def __init__(
        self,
        path: Path,
        *,
        check_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            path,
            load_keyword_answers,
            log=log,
            what="answers",
            check_s=check_s,
            clock=clock,
            refuse=_emptied,
        )


def _emptied(fresh: KeywordAnswers, previous: KeywordAnswers) -> str | None:
    if len(fresh) == 0 and len(previous) > 0:
        return "文件中没有任何条目（可能尚未保存完整）"
    return None
