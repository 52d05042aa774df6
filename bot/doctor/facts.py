"""What ``newmedia doctor`` observed, as plain data: ``gather`` fills it in, the rules read it.

Nothing here holds a secret: settings and secrets are described by their problems (which name
variables, never values), a database by its file or host (never its URL: it may carry a
password), a platform by its base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DbError = Literal["refused", "dns", "timeout", "auth", "unknown_database", "cannot_open", "other"]
ProbeOutcome = Literal["reachable", "dns", "refused", "timeout", "tls", "other"]
#: in_process: the demo sandbox ``newmedia serve`` mounts in itself (nothing to reach before it
#: runs); api_base: the account's own base (a real platform's gateway, or a staging sandbox:
#: ``python -m bot.sandbox_server``); default: the platform's own address
ProbeMode = Literal["in_process", "api_base", "default"]


@dataclass(frozen=True)
class SettingsFacts:
    path: str
    found: bool
    #: the file parsed into the schema: the other checks can run even if cross-checks failed
    parsed: bool
    #: every problem ``load_settings`` reports except the secrets' (those are checked apart)
    problems: tuple[str, ...]
    demo: bool = False
    accounts: int = 0
    wecom_apps: int = 0


@dataclass(frozen=True)
class SecretFacts:
    demo: bool
    #: problems ``read_secrets`` reports only for the service: variables that are not set
    missing: tuple[str, ...]
    #: problems it reports for every command: demo values or sandbox accounts in production,
    #: malformed or short keys
    values: tuple[str, ...]
    #: accounts and WeCom apps whose secrets were looked at
    checked: int
    #: keys that are set in a form the service cannot use (short, not base64, not Fernet):
    #: also in ``missing`` or ``values``, reported apart with how to make a good one
    malformed: tuple[str, ...] = ()
    #: accounts and apps marked sandbox outside demo mode: their variables are not looked at
    unchecked: int = 0


@dataclass(frozen=True)
class ServiceFacts:
    demo: bool
    public_url: str
    trusted_proxies: tuple[str, ...]
    #: ``[inbox] timestamp_window_seconds``: callbacks further off are refused
    timestamp_window_s: int


@dataclass(frozen=True)
class ClockReading:
    """A remote clock against the local one: ``offset_s`` = remote − local (positive: the
    remote is ahead); ``uncertainty_s`` covers the round trip and a one-second Date header."""

    source: str
    offset_s: float
    uncertainty_s: float
    kind: Literal["database", "platform"] = "platform"


@dataclass(frozen=True)
class DatabaseFacts:
    kind: Literal["sqlite", "postgresql"]
    #: the file, or host:port/database — never the URL (it may hold a password)
    where: str
    #: SQLite: the file exists (a missing one is created at first start); PostgreSQL: True
    exists: bool
    error: DbError | None = None
    #: the driver's one-line message, without the URL
    error_text: str = ""
    current: str | None = None
    head: str | None = None
    #: every revision this code knows: a current one outside it is newer than the code
    known: frozenset[str] = frozenset()
    clock: ClockReading | None = None
    #: PostgreSQL: the database and the user the URL names (for the fix that creates them)
    name: str = ""
    user: str = ""


@dataclass(frozen=True)
class ProbeFacts:
    #: 账号 ccmz_wechat / 企业微信应用 review_app
    target: str
    #: the setting that chooses the base: accounts[0].api_base
    setting: str
    platform: str
    url: str
    mode: ProbeMode
    outcome: ProbeOutcome | None = None
    status: int | None = None
    error_text: str = ""
    clock: ClockReading | None = None


@dataclass(frozen=True)
class CoverFacts:
    """Each account's ``default_cover`` looked up in the media folder the service reads."""

    #: the folder, absolute (``NEWMEDIA_MEDIA_ROOT``, else ``[media] root`` beside the settings)
    media_root: str
    #: (account, its setting, why the file cannot be used) for each cover the service refuses
    refused: tuple[tuple[str, str, str], ...] = ()
    #: the covers that were looked up
    checked: int = 0


@dataclass(frozen=True)
class Facts:
    settings: SettingsFacts
    secrets: SecretFacts | None = None
    service: ServiceFacts | None = None
    database: DatabaseFacts | None = None
    probes: tuple[ProbeFacts, ...] = ()
    #: the database URL names no database the service can use (a settings problem says so)
    database_unusable: bool = False
    covers: CoverFacts | None = None
    #: accounts and apps marked ``sandbox = true`` outside demo mode: they get no channel
    #: (the service refuses to start), so no base is asked for them
    sandbox_in_production: tuple[str, ...] = ()
