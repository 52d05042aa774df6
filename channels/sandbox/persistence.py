"""The sandbox's memory across restarts: one small SQLite file, written at each change.

A demo restart must not make the fake platforms forget what they did: a WeChat publish accepted
before it still resolves after it, timelines stay, and an id is never handed out twice (撤回 of an
old post must not delete a new one). Each account's state is one JSON document, rewritten in a
transaction right after the call that changed it and before the caller sees the answer; the id
counters are documents saved in the same transaction. Uploaded images and the request log are
rows. Without a path (tests, benchmarks) nothing is written and the sandbox lives in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media (key TEXT PRIMARY KEY, content_type TEXT NOT NULL, body BLOB);
CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
"""


class Ids:
    """A monotonic id counter. Its next value is stored, never derived from what is still
    listed: deleting or forgetting an item must not let its id come back."""

    def __init__(self, start: int, stored: Mapping[str, Any] | None = None) -> None:
        self.next_value = max(start, int((stored or {}).get("next", start)))

    def take(self) -> int:
        value = self.next_value
        self.next_value += 1
        return value

    def dump(self) -> dict[str, Any]:
        return {"next": self.next_value}


class SandboxStore:
    """The state file (``path``), or nothing at all (``None``: in memory only)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        self._written: dict[str, str] = {}  # name → body last written (skip unchanged ones)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.executescript(SCHEMA)
            self._db.commit()

    @property
    def persistent(self) -> bool:
        return self._db is not None

    def load(self, name: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT body FROM documents WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        self._written[name] = row[0]
        loaded: dict[str, Any] = json.loads(row[0])
        return loaded

    def save(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        """Write the documents that changed, all in one transaction."""
        if self._db is None:
            return
        bodies = {name: json.dumps(doc, ensure_ascii=False) for name, doc in documents.items()}
        changed = [(n, b) for n, b in bodies.items() if self._written.get(n) != b]
        if not changed:
            return
        with self._db:  # commits, or rolls back on error
            self._db.executemany(
                "INSERT INTO documents (name, body) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET body = excluded.body",
                changed,
            )
        self._written.update(changed)

    def put_media(self, key: str, content: bytes, content_type: str) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO media (key, content_type, body) VALUES (?, ?, ?)",
                (key, content_type, content),
            )

    def media(self) -> Iterator[tuple[str, bytes, str]]:
        if self._db is None:
            return
        for key, content_type, body in self._db.execute(
            "SELECT key, content_type, body FROM media"
        ):
            yield str(key), bytes(body), str(content_type)

    def add_request(self, record: Mapping[str, Any]) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.execute(
                "INSERT INTO requests (body) VALUES (?)",
                (json.dumps(record, ensure_ascii=False, default=str),),
            )

    def requests(self) -> list[dict[str, Any]]:
        if self._db is None:
            return []
        rows = self._db.execute("SELECT body FROM requests ORDER BY seq").fetchall()
        return [json.loads(body) for (body,) in rows]

    def clear_requests(self) -> None:
        if self._db is not None:
            with self._db:
                self._db.execute("DELETE FROM requests")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
