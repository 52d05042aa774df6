"""What a backup or restore refuses, in Chinese, and the database URL as it may be shown."""

from __future__ import annotations

#: a restore replaces what running replicas read and write: they must be stopped first
STOP_FIRST = "请先停止所有 newmedia 服务进程（systemctl stop 'newmedia@*'）"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, and why (printed as ``错误：…``)."""


def masked(url: str) -> str:
    """The URL with its password replaced by ``***`` (host, user and database stay: the
    operator needs them to know which database was meant). Everything up to the LAST ``@``
    is the user part: a password typed with a raw ``@`` (or ``/``) is masked whole, and the
    doctor's where-is-it (``bot.doctor.gather``) parses this masked URL, never the raw one."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, place = rest.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    if not (sep and at and colon) or rest.startswith("/"):  # no user part (a SQLite path)
        return url
    return f"{scheme}://{user}:***@{place}"


def revision_problem(found: str | None, known: frozenset[str], what: str) -> str | None:
    """Why a file at migration ``found`` is not a newmedia database this code can restore."""
    if found is None:
        return f"{what}不是 newmedia 数据库（没有 alembic_version 迁移记录）"
    if found not in known:
        return (
            f"{what}的迁移版本 {found} 不是本程序认识的版本（可能来自更新的 newmedia）："
            "请用与备份时相同或更新的版本恢复"
        )
    return None
