"""Secrets come from the environment only; the fixed demo values exist only in demo mode.

The demo secrets (sandbox accounts' Token, EncodingAESKey and AppSecret, the console session
key, the token-encryption key) are public: anyone can compute them from this source. So with
``[sandbox] enabled = false`` an account or app still marked ``sandbox = true`` is refused, a
secret that equals its demo value is refused, and the service (``for_service``: ``serve``, the
standalone publisher, every command that calls a platform or signs as one) does not start
without each secret it needs. Commands that only read the database do not need them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.config.problems import env_name
from bot.config.schema import SettingsFile
from review.token_cipher import DEMO_TOKEN_KEY, GENERATE_HINT, TOKEN_KEY_ENV, split_keys
from review.token_cipher import key_problems as token_key_problems

SECRET_KEY_ENV = "NEWMEDIA_SECRET_KEY"  # noqa: S105 (a variable name)
SANDBOX_SECRET_KEY = "sandbox-only-session-key-do-not-use-in-production"  # noqa: S105 (public demo value)
MIN_SECRET_KEY = 32
#: the standard library suffices: Debian's python3 has no plain ``python``, but it has secrets
SESSION_KEY_HINT = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
AES_KEY_LENGTH = 43
AES_KEY_WHERE = {
    "wechat": "公众号后台「设置与开发 → 基本配置 → 服务器配置」",
    "wecom": "企业微信管理后台「应用管理 → 该应用 → 接收消息 → 设置 API 接收」",
}


@dataclass(frozen=True)
class Secrets:
    app_secret: str = field(repr=False)
    token: str = field(repr=False)
    aes_key: str = field(repr=False)
    #: True when these are the fixed demo values: never valid against a real platform
    sandbox_only: bool


@dataclass(frozen=True)
class EnvSecrets:
    by_key: dict[str, Secrets]
    #: console session key ("" for a command outside demo mode: it serves no console)
    secret_key: str
    #: NEWMEDIA_TOKEN_KEY, first encrypts (empty for a command outside demo mode)
    token_keys: tuple[str, ...]


def sandbox_secrets(key: str) -> Secrets:
    """Fixed, public demo secrets for sandbox accounts (sandbox-only: real platforms refuse)."""
    digest = hashlib.sha256(f"newmedia-sandbox:{key}".encode()).digest()
    aes = base64.b64encode(digest).decode().rstrip("=")[:43]
    return Secrets(f"sandbox-secret-{key}", f"sandboxtoken{key}", aes, sandbox_only=True)


def _needed(platform: str, callback_mode: str) -> tuple[str, ...]:
    """What each kind uses: a Weibo account has no EncodingAESKey, nor a plain-mode OA."""
    if platform == "weibo":
        return ("APP_SECRET", "TOKEN")
    if platform == "wechat" and callback_mode == "plain":
        return ("APP_SECRET", "TOKEN")
    return ("APP_SECRET", "TOKEN", "AES_KEY")


@dataclass(frozen=True)
class _Mode:
    demo: bool
    for_service: bool
    env: Mapping[str, str]
    #: every account and app key of the file: any of their demo values is public
    keys: tuple[str, ...] = ()
    #: the problems of keys that are set but malformed (also in the problems list)
    malformed: list[str] = field(default_factory=list)


def _is_demo_value(what: str, value: str, keys: tuple[str, ...]) -> bool:
    """Any sandbox value is public, not only this account's own: the AppSecret and Token have a
    fixed form, the EncodingAESKey is derived from a key anyone can read in the settings."""
    if what == "APP_SECRET":
        return value.startswith("sandbox-secret-")
    if what == "TOKEN":
        return value.startswith("sandboxtoken")
    return any(value == sandbox_secrets(k).aes_key for k in keys)


def _aes_key_problem(where: str, name: str, value: str, platform: str) -> str | None:
    """The form the callback cipher needs (``channels.crypto.decode_aes_key``: 43 characters
    of base64 that decode to 32 bytes): refused at start-up, not at the first callback. The
    value is never shown; its length is (it tells a truncated paste apart)."""
    from channels.crypto import decode_aes_key  # cryptography: only when a key is checked

    try:
        decode_aes_key(value)
    except ValueError:  # said in the operator's words, never the value
        shape = (
            f"有 {len(value)} 个字符，应为 {AES_KEY_LENGTH} 个"
            if len(value) != AES_KEY_LENGTH
            else "含有 base64 以外的字符，只能是 A–Z、a–z、0–9、+、/"
        )
    else:
        return None
    return (
        f"{where}：环境变量 {name} 不是有效的 EncodingAESKey（{shape}）— 从"
        f"{AES_KEY_WHERE.get(platform, AES_KEY_WHERE['wechat'])}复制完整的 EncodingAESKey"
        f"（消息加解密密钥，{AES_KEY_LENGTH} 个字符）；在那里重新随机生成时，平台与这里要同时更新"
    )


def _one(where: str, key: str, platform: str, needed: tuple[str, ...], sandbox: bool,
         mode: _Mode, problems: list[str]) -> Secrets:  # fmt: skip
    values = {w: mode.env.get(env_name(key, w), "") for w in ("APP_SECRET", "TOKEN", "AES_KEY")}
    if sandbox and not mode.demo:
        problems.append(
            f"{where}标记为 sandbox = true，但 [sandbox] enabled = false：生产模式不使用公开的"
            f"演示密钥 — 请改为 sandbox = false，并在环境变量中设置它的 "
            f"{'、'.join(env_name(key, w) for w in needed)}"
        )
        return Secrets("", "", "", sandbox_only=False)
    if sandbox and not all(values[w] for w in needed):
        return sandbox_secrets(key)  # demo mode: the public values the sandbox knows
    if not mode.demo:
        problems.extend(
            f"{where}：环境变量 {env_name(key, w)} 是公开的演示值 — 生产模式请使用平台提供的密钥"
            for w in needed
            if values[w] and _is_demo_value(w, values[w], mode.keys)
        )
    missing = [env_name(key, w) for w in needed if not values[w]]
    if mode.for_service and "AES_KEY" in needed and values["AES_KEY"]:
        problem = _aes_key_problem(where, env_name(key, "AES_KEY"), values["AES_KEY"], platform)
        if problem:
            problems.append(problem)
            mode.malformed.append(problem)
    if missing and mode.for_service:
        problems.append(
            f"{where}缺少环境变量 {'、'.join(missing)} — 正式账号的密钥只能来自环境变量"
        )
    return Secrets(values["APP_SECRET"], values["TOKEN"], values["AES_KEY"], sandbox_only=False)


def _secret_key(mode: _Mode, problems: list[str]) -> str:
    env, demo, for_service = mode.env, mode.demo, mode.for_service
    found = env.get(SECRET_KEY_ENV, "")
    if demo:
        return found or SANDBOX_SECRET_KEY
    if found == SANDBOX_SECRET_KEY:
        problems.append(
            f"环境变量 {SECRET_KEY_ENV} 是公开的演示值 — 生产模式请换一个随机值；"
            f"生成一个：{SESSION_KEY_HINT}"
        )
    elif found and len(found) < MIN_SECRET_KEY:
        short = (
            f"环境变量 {SECRET_KEY_ENV} 太短（{len(found)} 个字符）— 至少 {MIN_SECRET_KEY} 个"
            f"字符；生成一个：{SESSION_KEY_HINT}"
        )
        problems.append(short)
        mode.malformed.append(short)
    elif not found and for_service:
        problems.append(
            f"未设置环境变量 {SECRET_KEY_ENV}（控制台会话密钥）— 生产模式必须设置；"
            f"生成一个：{SESSION_KEY_HINT}"
        )
    return found


def _token_keys(mode: _Mode, problems: list[str]) -> tuple[str, ...]:
    env, demo, for_service = mode.env, mode.demo, mode.for_service
    keys = split_keys(env.get(TOKEN_KEY_ENV, ""))
    malformed = token_key_problems(keys)
    problems.extend(malformed)
    mode.malformed.extend(malformed)
    if demo:
        return keys or (DEMO_TOKEN_KEY,)
    if DEMO_TOKEN_KEY in keys:
        problems.append(
            f"环境变量 {TOKEN_KEY_ENV} 含有公开的演示密钥 — 生产模式请换一个；生成一个：{GENERATE_HINT}"
        )
    elif not keys and for_service:
        problems.append(
            f"未设置环境变量 {TOKEN_KEY_ENV}（加密保存平台 access_token 的 Fernet 密钥）— "
            f"生产模式必须设置；生成一个：{GENERATE_HINT}"
        )
    return keys


def read_secrets(
    f: SettingsFile,
    env: Mapping[str, str],
    *,
    for_service: bool,
    problems: list[str],
    malformed: list[str] | None = None,
) -> EnvSecrets:
    """Every account's and app's secrets, the session key and the token keys; each problem is
    appended (naming the variable, never its value). Those of keys set in a form the service
    cannot use are also appended to ``malformed`` (``newmedia doctor`` fixes them apart: its
    fix is how to make one, not where to set it)."""
    demo = f.sandbox.enabled
    keys = tuple(a.key for a in f.accounts) + tuple(w.key for w in f.wecom_apps)
    mode = _Mode(demo, for_service, env, keys)
    by_key: dict[str, Secrets] = {}
    for i, a in enumerate(f.accounts):
        where = f"账号 {a.key}（accounts[{i}]）"
        needed = _needed(a.platform, a.callback_mode)
        by_key[a.key] = _one(where, a.key, a.platform, needed, a.sandbox, mode, problems)
    for i, w in enumerate(f.wecom_apps):
        where = f"企业微信应用 {w.key}（wecom_apps[{i}]）"
        needed = _needed("wecom", "aes")
        by_key[w.key] = _one(where, w.key, "wecom", needed, w.sandbox, mode, problems)
    found = EnvSecrets(by_key, _secret_key(mode, problems), _token_keys(mode, problems))
    if malformed is not None:
        malformed.extend(mode.malformed)
    return found
