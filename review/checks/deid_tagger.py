"""jieba's part-of-speech tagger for the de-identification check: the ``nr`` (person name) tags.

Kept apart so it loads once per process, over the gate's own tokenizer when there is one (same
dictionary, no second load), and so benchmarks can switch it off to measure the context rules.
"""

from __future__ import annotations

import logging
import threading

import jieba
import jieba.posseg


class _Tagger:
    """jieba's part-of-speech tagger on a private tokenizer, loaded once, safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pos: jieba.posseg.POSTokenizer | None = None

    def warm_up(self, tokenizer: jieba.Tokenizer | None = None) -> None:
        """Load the tags now, over ``tokenizer`` (the gate's, already loaded: saves ~1 s and
        its memory) or a private one; the first call wins."""
        with self._lock:
            if self._pos is None:
                jieba.setLogLevel(logging.WARNING)
                if tokenizer is None:
                    tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                self._pos = jieba.posseg.POSTokenizer(tokenizer)

    def is_word(self, word: str) -> bool:
        """A dictionary word (公司, 照顾): a surname character glued to the one before it."""
        if self._pos is None:
            self.warm_up()
        assert self._pos is not None
        return bool(self._pos.tokenizer.FREQ.get(word, 0) >= 50)

    def names(self, text: str) -> list[tuple[int, int]]:
        """Spans the tagger labels ``nr`` (a person's name)."""
        if self._pos is None:
            self.warm_up()
        assert self._pos is not None
        out = []
        pos = 0
        pairs = [(p.word, p.flag) for p in self._pos.cut(text)]
        freq = self._pos.tokenizer.FREQ
        for k, (word, flag) in enumerate(pairs):
            nxt = pairs[k + 1] if k + 1 < len(pairs) else ("", "")
            if flag == "nr" and len(word) == 1 and nxt[1] == "nr" and len(nxt[0]) <= 2:
                out.append((pos, pos + 1 + len(nxt[0])))  # jieba often cuts 杜|海燕
            # a frequent dictionary word tagged nr (祝福, 杨柳) is rarely a private person
            elif flag == "nr" and 2 <= len(word) <= 4 and freq.get(word, 0) < 100:
                out.append((pos, pos + len(word)))
            pos += len(word)
        return out


TAGGER = _Tagger()
