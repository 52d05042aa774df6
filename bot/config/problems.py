"""The wording of settings problems: Chinese, naming the file and the key, and never showing a
value that may be secret — a settings error ends up in terminals, logs and support tickets.

A value is shown only when it is a plain scalar under a key that does not look secret; tables,
arrays and unknown keys (a misspelt ``app_secrets``) are described, never printed.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.config.schema import SettingsFile

#: a key named like this holds a secret: refused in the file, never shown
SECRET_SUFFIXES = (
    "secret",
    "token",
    "aes_key",
    "password",
    "passwd",
    "secret_key",
    "token_key",
    "api_key",
)
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


class SettingsError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}：设置有 {len(problems)} 处问题：\n{lines}")


class SettingsNotFound(SettingsError):
    """No settings file where it was looked for: a command that needs them stops with this
    message, ``newmedia check`` says it in its own words and checks without them."""

    WHAT = "找不到设置文件"
    HINT = "请用 --settings 或环境变量 NEWMEDIA_SETTINGS 指定 settings.toml"

    def __init__(self, path: Path) -> None:
        super().__init__(path, [f"{self.WHAT} — {self.HINT}"])


def env_name(key: str, what: str) -> str:
    return f"NEWMEDIA_{key.upper()}_{what}"


def is_secret_name(name: str) -> bool:
    return name.lower().endswith(SECRET_SUFFIXES)


def _env_for(path: str, raw: dict[str, Any]) -> str:
    """The environment variable that should hold the secret found at ``path``."""
    name = path.rsplit(".", 1)[-1].lower()
    if name == "secret_key":
        return "NEWMEDIA_SECRET_KEY"
    if name == "token_key":
        return "NEWMEDIA_TOKEN_KEY"
    if path.startswith("database."):
        return "NEWMEDIA_DATABASE_URL"
    found = _INDEXED.match(path)
    if found and found.group(1) in ("accounts", "wecom_apps"):
        what = "AES_KEY" if "aes" in name else "TOKEN" if name.endswith("token") else "APP_SECRET"
        items = raw.get(found.group(1))
        index = int(found.group(2))
        item = items[index] if isinstance(items, list) and index < len(items) else None
        key = item.get("key") if isinstance(item, dict) else None
        return env_name(key if isinstance(key, str) and key else "<key>", what)
    return "对应的 NEWMEDIA_… 环境变量"


def secrets_in_file(node: Any, raw: dict[str, Any], prefix: str = "") -> list[str]:
    """One problem per secret written into the file: its key and where it belongs instead."""
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if is_secret_name(str(k)) and v not in ("", None):
                found.append(
                    f"{path}：密钥不能写在设置文件里 — 请删除这一项，"
                    f"改由环境变量 {_env_for(path, raw)} 提供（设置文件的值不予显示）"
                )
            found.extend(secrets_in_file(v, raw, path))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(secrets_in_file(item, raw, f"{prefix}[{i}]"))
    return found


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reason(err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    fixed = {
        "missing": "缺少这一项",
        "extra_forbidden": "不认识的设置项（拼写错误？）",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "float_type": "应为数字",
        "float_parsing": "应为数字",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "string_type": "应为字符串",
        "tuple_type": "应为数组 […]",
        "list_type": "应为数组 […]",
        "dict_type": "应为表（[节] 或 {…}）",
        "model_type": "应为表（[节] 或 {…}）",
        "model_attributes_type": "应为表（[节] 或 {…}）",
    }
    if kind in fixed:
        return fixed[kind]
    bounded = {
        "greater_than_equal": ("应不小于", "ge"),
        "greater_than": ("应大于", "gt"),
        "less_than_equal": ("应不大于", "le"),
        "less_than": ("应小于", "lt"),
        "too_short": ("项数至少为", "min_length"),
        "too_long": ("项数至多为", "max_length"),
        "string_too_short": ("长度至少为", "min_length"),
        "string_too_long": ("长度至多为", "max_length"),
        "string_pattern_mismatch": ("应符合", "pattern"),
        "literal_error": ("应为以下之一：", "expected"),
    }
    if kind in bounded:
        words, name = bounded[kind]
        return f"{words} {ctx.get(name, '')}".replace("： ", "：")
    if kind == "value_error":
        return str(ctx.get("error") or err["msg"])
    return f"不符合要求（{err['msg']}）"


def _shown(err: ErrorDetails) -> str | None:
    """The value found, when it is safe to print: a scalar under a key that is not secret."""
    if err["type"] in ("missing", "extra_forbidden"):
        return None
    if any(isinstance(part, str) and is_secret_name(part) for part in err["loc"]):
        return None
    value = err.get("input")
    if isinstance(value, (dict, list, tuple)):
        return None
    return repr(value)[:80]


def _reported_as_secret(err: ErrorDetails) -> bool:
    """An unknown key that is a secret: ``secrets_in_file`` already said where it belongs."""
    last = err["loc"][-1] if err["loc"] else ""
    return (
        err["type"] == "extra_forbidden"
        and isinstance(last, str)
        and is_secret_name(last)
        and err.get("input") not in ("", None)
    )


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings table a field holds: itself, or the item of a tuple, list or optional."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _table_of(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The schema table an unknown key was found in (``loc`` without the key itself)."""
    model: type[BaseModel] | None = SettingsFile
    for part in loc:
        if isinstance(part, int):
            continue  # an item of an array of tables: the same table
        field = model.model_fields.get(part) if model is not None else None
        model = _model_in(field.annotation) if field is not None else None
        if model is None:
            return None
    return model


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """A misspelt key or section: the closest known one, and every key that table takes — so
    ``prot = 8080`` says 「是不是 port？」 instead of pointing at the source."""
    *outer, key = loc
    table = _table_of(tuple(outer))
    if table is None or not isinstance(key, str):
        return "不认识的设置项（拼写错误？）"
    known = list(table.model_fields)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    names = [part for part in outer if isinstance(part, str)]
    if not names:
        guess = f"是不是 [{close[0]}]？" if close else ""
        return f"不认识的设置节，{guess or '拼写错误？'}可用的节：{'、'.join(known)}"
    section = ".".join(names)
    section = f"[[{section}]]" if isinstance(outer[-1], int) else f"[{section}]"
    guess = f"是不是 {close[0]}？" if close else ""
    return f"不认识的设置项，{guess or '拼写错误？'}{section} 可用的项：{'、'.join(known)}"


def validation_problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        if _reported_as_secret(err):
            continue
        shown = _shown(err)
        where = _loc(err["loc"]) or "（文件顶层）"
        value = f" = {shown}" if shown is not None else ""
        reason = _unknown_key(err["loc"]) if err["type"] == "extra_forbidden" else _reason(err)
        problems.append(f"{where}{value} — {reason}")
    return problems
