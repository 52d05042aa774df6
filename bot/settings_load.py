"""Load ``settings.toml``, refuse secrets in it, take secrets from the environment, and report
every problem at once with its file, key, value and what was expected."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.settings import Account, Department, Person, SettingsFile, WeComApp
from review.keyword_answers import DEFAULT_FILE as DEFAULT_KEYWORD_ANSWERS
from review.keyword_answers import load_keyword_answers

DEFAULT_PATH = Path("settings.toml")
SECRET_SUFFIXES = ("secret", "token", "aes_key", "password", "passwd", "secret_key")
SANDBOX_SECRET_KEY = "sandbox-only-session-key-do-not-use-in-production"  # noqa: S105 (public demo value)
#: the password of a database URL, read as SQLAlchemy reads it (without importing SQLAlchemy:
#: a command that only reads the settings starts quicker)
URL_PASSWORD = re.compile(r"[\w+]+://[^:/]*:([^@]*)@")


class SettingsError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the settings:\n{lines}")


@dataclass(frozen=True)
class Secrets:
    app_secret: str
    token: str
    aes_key: str
    #: True when these are the fixed demo values: never valid against a real platform
    sandbox_only: bool


@dataclass(frozen=True)
class Settings:
    path: Path
    file: SettingsFile
    database_url: str
    secret_key: str
    secrets: Mapping[str, Secrets]
    departments: Mapping[str, Department] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    accounts: Mapping[str, Account] = field(default_factory=dict)
    wecom_apps: Mapping[str, WeComApp] = field(default_factory=dict)
    #: the 办事指南 answers file (``[inbox] keyword_answers_file``, else the packaged examples)
    keyword_answers: Path = DEFAULT_KEYWORD_ANSWERS

    @property
    def demo(self) -> bool:
        return self.file.sandbox.enabled


def env_name(key: str, what: str) -> str:
    return f"NEWMEDIA_{key.upper()}_{what}"


def sandbox_secrets(key: str) -> Secrets:
    """Fixed, public demo secrets for sandbox accounts (sandbox-only: real platforms refuse)."""
    digest = hashlib.sha256(f"newmedia-sandbox:{key}".encode()).digest()
    aes = base64.b64encode(digest).decode().rstrip("=")[:43]
    return Secrets(f"sandbox-secret-{key}", f"sandboxtoken{key}", aes, sandbox_only=True)


def _secret_keys(node: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            name = str(k).lower()
            if name.endswith(SECRET_SUFFIXES) and v not in ("", None):
                found.append(path)
            found.extend(_secret_keys(v, path))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_secret_keys(item, f"{prefix}[{i}]"))
    return found


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _cross_checks(f: SettingsFile) -> list[str]:
    problems: list[str] = []
    depts = {d.key for d in f.departments}
    people = {p.key for p in f.people}
    for kind, keys in (
        ("departments", [d.key for d in f.departments]),
        ("people", [p.key for p in f.people]),
        ("accounts", [a.key for a in f.accounts]),
    ):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            problems.append(f"{kind}: duplicate key(s) {dup} — expected each key once")
    for i, d in enumerate(f.departments):
        if d.head and d.head not in people:
            problems.append(f"departments[{i}].head = {d.head!r} — expected a key from [[people]]")
    for i, p in enumerate(f.people):
        if p.department not in depts:
            problems.append(
                f"people[{i}].department = {p.department!r} — expected one of {sorted(depts)}"
            )
    for i, a in enumerate(f.accounts):
        if a.owner not in depts:
            problems.append(f"accounts[{i}].owner = {a.owner!r} — expected one of {sorted(depts)}")
        if a.review_chain[0].department != a.owner:
            problems.append(
                f"accounts[{i}].review_chain[0].department = {a.review_chain[0].department!r}"
                f" — expected the owner department {a.owner!r} (谁开设、谁管理)"
            )
        for j, s in enumerate(a.review_chain):
            if s.department not in depts:
                problems.append(
                    f"accounts[{i}].review_chain[{j}].department = {s.department!r}"
                    f" — expected one of {sorted(depts)}"
                )
        if a.platform == "weibo" and not a.safe_domain:
            problems.append(
                f"accounts[{i}].safe_domain is missing — expected the Weibo safe domain"
            )
    return problems


def _secrets_for(key: str, sandbox: bool, env: Mapping[str, str], problems: list[str]) -> Secrets:
    names = {w: env_name(key, w) for w in ("APP_SECRET", "TOKEN", "AES_KEY")}
    values = {w: env.get(n, "") for w, n in names.items()}
    if all(values.values()):
        return Secrets(values["APP_SECRET"], values["TOKEN"], values["AES_KEY"], sandbox_only=False)
    if sandbox:
        return sandbox_secrets(key)
    missing = [n for w, n in names.items() if not values[w]]
    problems.append(
        f"account {key!r} is not a sandbox account but {', '.join(missing)} "
        "is not set in the environment — expected its secrets there"
    )
    return Secrets("", "", "", sandbox_only=False)


def _anchor_sqlite(url: str, settings_path: Path) -> str:
    """A relative SQLite path is relative to the settings file, not to the current directory."""
    for prefix in ("sqlite:///", "sqlite+aiosqlite:///"):
        if url.startswith(prefix):
            rest = url.removeprefix(prefix)
            if rest and rest != ":memory:" and not rest.startswith("/"):
                return prefix + str(settings_path.resolve().parent / rest)
    return url


def _keyword_answers(f: SettingsFile, settings_path: Path) -> Path:
    """The answers file, anchored at the settings folder (read and checked only by the service)."""
    configured = f.inbox.keyword_answers_file
    if not configured:
        return DEFAULT_KEYWORD_ANSWERS
    found = Path(configured)
    return found if found.is_absolute() else settings_path.resolve().parent / found


def _check_keyword_answers(f: SettingsFile, found: Path, problems: list[str]) -> None:
    """The service answers from this file: it must exist and parse when the service starts."""
    try:
        load_keyword_answers(found)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        shown = "file not found" if isinstance(exc, FileNotFoundError) else str(exc)
        problems.append(
            f"inbox.keyword_answers_file = {f.inbox.keyword_answers_file!r} — {shown}; "
            "expected a TOML file of [[entry]] title/keys/answer"
        )


def _has_password(url: str) -> bool:
    found = URL_PASSWORD.match(url)
    return bool(found and found.group(1))


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    for_service: bool = False,
) -> Settings:
    """Every problem at once, as a ``SettingsError``. ``for_service``: also read the files the
    running service relies on (the 办事指南 answers), which a command does not need."""
    env = os.environ if env is None else env
    path = Path(path or env.get("NEWMEDIA_SETTINGS") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(path, ["file not found — expected a settings.toml"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, [f"not valid TOML: {exc}"]) from None
    problems = [
        f"{k} is set in the file — secrets must come only from the environment (NEWMEDIA_…)"
        for k in _secret_keys(raw)
    ]
    try:
        parsed = SettingsFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            value = err.get("input")
            shown = "(missing)" if err["type"] == "missing" else repr(value)[:80]
            problems.append(f"{_loc(err['loc'])} = {shown} — {err['msg']}")
        raise SettingsError(path, problems) from None
    problems.extend(_cross_checks(parsed))
    keyword_answers = _keyword_answers(parsed, path)
    if for_service and parsed.inbox.keyword_answers_file:
        _check_keyword_answers(parsed, keyword_answers, problems)
    db_url = _anchor_sqlite(env.get("NEWMEDIA_DATABASE_URL") or parsed.database.url, path)
    if _has_password(parsed.database.url):
        problems.append("database.url contains a password — put it in NEWMEDIA_DATABASE_URL")
    secrets = {a.key: _secrets_for(a.key, a.sandbox, env, problems) for a in parsed.accounts}
    for app in parsed.wecom_apps:
        secrets[app.key] = _secrets_for(app.key, app.sandbox, env, problems)
    secret_key = env.get("NEWMEDIA_SECRET_KEY", "")
    if not secret_key:
        if not parsed.sandbox.enabled:
            problems.append("NEWMEDIA_SECRET_KEY is not set — expected it outside demo mode")
        secret_key = SANDBOX_SECRET_KEY
    if problems:
        raise SettingsError(path, problems)
    return Settings(
        path=path,
        file=parsed,
        database_url=db_url,
        secret_key=secret_key,
        secrets=secrets,
        departments={d.key: d for d in parsed.departments},
        people={p.key: p for p in parsed.people},
        accounts={a.key: a for a in parsed.accounts},
        wecom_apps={w.key: w for w in parsed.wecom_apps},
        keyword_answers=keyword_answers,
    )
