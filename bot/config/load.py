"""Load ``settings.toml``, refuse secrets in it, take secrets from the environment, and report
every problem at once — in Chinese, with its file and key, never with a secret value
(``bot.config.problems`` words them, ``bot.config.env_secrets`` reads the environment)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.config.env_secrets import SANDBOX_SECRET_KEY, Secrets, read_secrets, sandbox_secrets
from bot.config.problems import (
    SettingsError,
    SettingsNotFound,
    env_name,
    secrets_in_file,
    validation_problems,
)
from bot.config.schema import Account, Department, Person, SettingsFile, WeComApp
from review.keyword_answers import DEFAULT_FILE as DEFAULT_KEYWORD_ANSWERS
from review.keyword_answers import load_keyword_answers

__all__ = [
    "SANDBOX_SECRET_KEY",
    "Secrets",
    "Settings",
    "SettingsError",
    "SettingsNotFound",
    "env_name",
    "load_settings",
    "sandbox_secrets",
]

DEFAULT_PATH = Path("settings.toml")
#: the password of a database URL, read as SQLAlchemy reads it (without importing SQLAlchemy:
#: a command that only reads the settings starts quicker)
URL_PASSWORD = re.compile(r"[\w+]+://[^:/]*:([^@]*)@")


@dataclass(frozen=True)
class ListFiles:
    """The bureau's word lists (``[lists]``), anchored at the settings folder; None: that list
    is the shipped one alone (``bot.config.lists`` builds the gate's lists from them)."""

    wording: Path | None = None
    public_numbers: Path | None = None
    duties: Path | None = None
    check_s: float = 5.0

    @property
    def configured(self) -> bool:
        return any((self.wording, self.public_numbers, self.duties))


@dataclass(frozen=True)
class Settings:
    path: Path
    file: SettingsFile
    database_url: str = field(repr=False)
    secret_key: str = field(repr=False)
    secrets: Mapping[str, Secrets] = field(repr=False)
    departments: Mapping[str, Department] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    accounts: Mapping[str, Account] = field(default_factory=dict)
    wecom_apps: Mapping[str, WeComApp] = field(default_factory=dict)
    #: the 办事指南 answers file (``[inbox] keyword_answers_file``, else the packaged examples)
    keyword_answers: Path = DEFAULT_KEYWORD_ANSWERS
    #: the bureau's word lists for the gate (``[lists]``)
    lists: ListFiles = ListFiles()
    #: ``NEWMEDIA_TOKEN_KEY`` (the demo key in demo mode): the first encrypts stored tokens
    token_keys: tuple[str, ...] = field(default=(), repr=False)

    @property
    def demo(self) -> bool:
        return self.file.sandbox.enabled


def _cross_checks(f: SettingsFile) -> list[str]:
    """References between sections: each names a key the file defines."""
    problems: list[str] = []
    depts = {d.key for d in f.departments}
    people = {p.key for p in f.people}
    for kind, keys in (
        ("departments", [d.key for d in f.departments]),
        ("people", [p.key for p in f.people]),
        ("accounts", [a.key for a in f.accounts]),
        ("wecom_apps", [w.key for w in f.wecom_apps]),
    ):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            problems.append(f"{kind}：key {dup} 出现了不止一次 — 每个 key 只能用一次")
    for i, d in enumerate(f.departments):
        if d.head and d.head not in people:
            problems.append(f"departments[{i}].head = {d.head!r} — 应为 [[people]] 中的某个 key")
    for i, p in enumerate(f.people):
        if p.department not in depts:
            problems.append(
                f"people[{i}].department = {p.department!r} — 应为以下之一：{sorted(depts)}"
            )
    for i, a in enumerate(f.accounts):
        if a.owner not in depts:
            problems.append(f"accounts[{i}].owner = {a.owner!r} — 应为以下之一：{sorted(depts)}")
        if a.review_chain[0].department != a.owner:
            problems.append(
                f"accounts[{i}].review_chain[0].department = {a.review_chain[0].department!r}"
                f" — 应为开设账号的处室 {a.owner!r}（谁开设、谁管理）"
            )
        for j, s in enumerate(a.review_chain):
            if s.department not in depts:
                problems.append(
                    f"accounts[{i}].review_chain[{j}].department = {s.department!r}"
                    f" — 应为以下之一：{sorted(depts)}"
                )
        if a.platform == "weibo" and not a.safe_domain:
            problems.append(f"accounts[{i}].safe_domain：缺少这一项 — 微博账号须填写安全域名")
    w = f.wordings
    for j, s in enumerate(w.stages):
        if s.department not in depts:
            problems.append(
                f"wordings.stages[{j}].department = {s.department!r} — 应为以下之一：{sorted(depts)}"
            )
        if any(k not in ("口径", "办事指南") for k in s.kinds):
            problems.append(
                f"wordings.stages[{j}].kinds = {list(s.kinds)!r} — 只能是「口径」「办事指南」"
            )
    if w.guide_owner and w.guide_owner not in depts:
        problems.append(f"wordings.guide_owner = {w.guide_owner!r} — 应为以下之一：{sorted(depts)}")
    return problems


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
        shown = "找不到这个文件" if isinstance(exc, FileNotFoundError) else str(exc)
        problems.append(
            f"inbox.keyword_answers_file = {f.inbox.keyword_answers_file!r} — {shown}；"
            "应为一个由 [[entry]] title/keys/answer 组成的 TOML 文件"
        )


def _list_files(f: SettingsFile, settings_path: Path) -> ListFiles:
    def anchored(configured: str | None) -> Path | None:
        if not configured:
            return None
        found = Path(configured)
        return found if found.is_absolute() else settings_path.resolve().parent / found

    c = f.lists
    return ListFiles(
        anchored(c.wording_file),
        anchored(c.public_numbers_file),
        anchored(c.duties_file),
        c.check_seconds,
    )


def _check_list_files(lists: ListFiles, problems: list[str]) -> None:
    """The gate reads these while the service runs: a broken one is refused at start-up (the
    gate and its lists load only here, so commands that never run the gate stay quick)."""
    from review.checks.bureau_lists import BureauPaths, check_files

    found = check_files(BureauPaths(lists.wording, lists.public_numbers, lists.duties))
    problems.extend(f"[lists] {p}" for p in found)


#: the databases the service runs on (the async driver is chosen by ``review.db.normalise_url``)
DATABASE_SCHEME = re.compile(r"^(sqlite(\+aiosqlite)?|postgres(ql)?(\+asyncpg)?)://")


def _database_problem(url: str, from_env: bool) -> str | None:
    """A URL the service cannot use, named by where it came from — never echoed (it may hold a
    password)."""
    if DATABASE_SCHEME.match(url):
        return None
    where = "环境变量 NEWMEDIA_DATABASE_URL" if from_env else "database.url"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    shown = (
        f"（现为 {scheme}://…）" if scheme.isascii() and scheme.replace("+", "").isalnum() else ""
    )
    return f"{where} 应为 sqlite:///路径 或 postgresql://用户@主机:端口/库名{shown}"


def database_url(f: SettingsFile, env: Mapping[str, str], settings_path: Path) -> str:
    """The database the service uses: ``NEWMEDIA_DATABASE_URL``, else ``[database] url``; a
    relative SQLite path anchored at the settings file (``newmedia doctor`` asks it too)."""
    return _anchor_sqlite(env.get("NEWMEDIA_DATABASE_URL") or f.database.url, settings_path)


def _has_password(url: str) -> bool:
    found = URL_PASSWORD.match(url)
    return bool(found and found.group(1))


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    for_service: bool = False,
) -> Settings:
    """Every problem at once, as a ``SettingsError``. ``for_service``: the running service, the
    standalone publisher and every command that calls a platform or signs as one — they also
    need every secret (outside demo mode) and the files the service relies on (the 办事指南
    answers). A command that only reads the database needs neither."""
    env = os.environ if env is None else env
    path = Path(path or env.get("NEWMEDIA_SETTINGS") or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsNotFound(path) from None
    except IsADirectoryError:
        raise SettingsError(path, ["这是一个文件夹 — 应为 settings.toml 文件"]) from None
    except UnicodeDecodeError:
        raise SettingsError(path, ["不是 UTF-8 编码的文本文件"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(path, [f"不是有效的 TOML（{exc}）"]) from None
    problems = secrets_in_file(raw, raw)
    try:
        parsed = SettingsFile.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(path, problems + validation_problems(exc)) from None
    problems.extend(_cross_checks(parsed))
    keyword_answers = _keyword_answers(parsed, path)
    if for_service and parsed.inbox.keyword_answers_file:
        _check_keyword_answers(parsed, keyword_answers, problems)
    lists = _list_files(parsed, path)
    if for_service and lists.configured:
        _check_list_files(lists, problems)
    raw_url = env.get("NEWMEDIA_DATABASE_URL") or parsed.database.url
    url_problem = _database_problem(raw_url, bool(env.get("NEWMEDIA_DATABASE_URL")))
    if url_problem:
        problems.append(url_problem)
    db_url = database_url(parsed, env, path)
    if _has_password(parsed.database.url):
        problems.append(
            "database.url 含有密码 — 请从文件中删去，把完整的数据库地址放在环境变量 "
            "NEWMEDIA_DATABASE_URL 中"
        )
    found = read_secrets(parsed, env, for_service=for_service, problems=problems)
    if problems:
        raise SettingsError(path, problems)
    return Settings(
        path=path,
        file=parsed,
        database_url=db_url,
        secret_key=found.secret_key,
        secrets=found.by_key,
        departments={d.key: d for d in parsed.departments},
        people={p.key: p for p in parsed.people},
        accounts={a.key: a for a in parsed.accounts},
        wecom_apps={w.key: w for w in parsed.wecom_apps},
        keyword_answers=keyword_answers,
        lists=lists,
        token_keys=found.token_keys,
    )
