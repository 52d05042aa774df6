"""Platform access tokens are kept encrypted at rest (Fernet), so a copy of the database — a
backup, a replica, a support dump — does not hand out the bureau's accounts.

The keys come from the environment (``NEWMEDIA_TOKEN_KEY``, read by the settings): several
keys, comma-separated, allow a rotation — the first encrypts, every one decrypts. A stored
token no key opens (rotated away, or written before encryption) reads as no token: the API
client fetches a fresh one. In demo mode a fixed, public key stands in.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # start-up time: only the processes that store tokens load cryptography
    from cryptography.fernet import MultiFernet

TOKEN_KEY_ENV = "NEWMEDIA_TOKEN_KEY"  # noqa: S105 (a variable name)
#: public, like every demo secret: only ever used while ``[sandbox] enabled = true``
DEMO_TOKEN_KEY = "bmV3bWVkaWEtc2FuZGJveC10b2tlbi1rZXktZGVtbyE="  # noqa: S105
#: the service's own interpreter: Debian has no plain ``python`` and its python3 lacks
#: cryptography (from a checkout: ``.venv/bin/python``)
GENERATE_HINT = (
    "/opt/newmedia/.venv/bin/python -c "
    '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    "（在源码目录中用 .venv/bin/python）"
)


def split_keys(value: str) -> tuple[str, ...]:
    """``NEWMEDIA_TOKEN_KEY`` as a list: comma-separated, blanks ignored, the first encrypts."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _is_fernet_key(key: str) -> bool:
    """The check ``Fernet(key)`` makes, without importing cryptography."""
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


def key_problems(keys: Sequence[str]) -> list[str]:
    """Chinese problems with the keys, naming each by position — never by value."""
    many = len(keys) > 1
    return [
        f"环境变量 {TOKEN_KEY_ENV} 的{f'第 {i} 个' if many else ''}密钥不是有效的 Fernet 密钥"
        f"（应为 32 字节的 URL 安全 base64，44 个字符）— 生成一个：{GENERATE_HINT}"
        for i, key in enumerate(keys, start=1)
        if not _is_fernet_key(key)
    ]


class TokenCipher:
    """Encrypts a token for the ``access_tokens`` row and opens it again."""

    def __init__(self, keys: Sequence[str]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        if not keys:
            raise ValueError(f"{TOKEN_KEY_ENV}: no key")
        self._fernet: MultiFernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str | None:
        """The token, or None when no key opens it (the caller then treats it as absent)."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(stored.encode("utf-8")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            return None
