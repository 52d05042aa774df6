"""Access tokens that expire, shared by the WeChat and WeCom fakes.

Normal mode (``stable_token``, WeCom ``gettoken``) returns the same token while it is valid and
hands out a new one only inside the renew window; the old one stays valid until it expires.
``force`` invalidates the old token at once, as WeChat's ``force_refresh`` does.
"""

from __future__ import annotations

import secrets

from channels.sandbox.config import SandboxConfig
from channels.sandbox.platform import SandboxError

INVALID_TOKEN = 40014
EXPIRED_TOKEN = 42001


class TokenIssuer:
    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._tokens: dict[str, tuple[str, float]] = {}  # token → (owner, expires_at)
        self._current: dict[str, str] = {}  # owner → newest token
        self.issued = 0

    def issue(self, owner: str, *, force: bool = False) -> tuple[str, int]:
        """(token, expires_in seconds) for ``owner`` (an appid or corpid)."""
        now = self._config.clock()
        current = self._current.get(owner)
        if current is not None:
            _, expires_at = self._tokens[current]
            if force:
                del self._tokens[current]
            elif expires_at - now > self._config.token_renew_window:
                return current, max(1, int(expires_at - now))
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (owner, now + self._config.token_ttl)
        self._current[owner] = token
        self.issued += 1
        return token, max(1, int(self._config.token_ttl))

    def owner_of(self, token: str | None) -> str:
        """The owner, or the platform's 40014 (unknown) / 42001 (expired)."""
        entry = self._tokens.get(token or "")
        if entry is None:
            raise SandboxError(INVALID_TOKEN, "invalid access_token")
        owner, expires_at = entry
        if expires_at <= self._config.clock():
            raise SandboxError(EXPIRED_TOKEN, "access_token expired")
        return owner

    def expire(self, owner: str) -> None:
        """Test helper: every token of ``owner`` is expired from now on."""
        now = self._config.clock()
        for token, (who, _) in list(self._tokens.items()):
            if who == owner:
                self._tokens[token] = (who, now)

    def revoke(self, owner: str) -> None:
        """Test helper: the platform forgets ``owner``'s tokens (they answer 40001/40014)."""
        for token, (who, _) in list(self._tokens.items()):
            if who == owner:
                del self._tokens[token]
        self._current.pop(owner, None)
