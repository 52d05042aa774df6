"""``newmedia doctor`` run as an operator runs it: the demo passes; a missing secret, a database
refused, unknown or behind, a platform refusing and a platform clock 5 minutes off are each
named with their fix — and no secret value is ever printed."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web
from alembic.script import ScriptDirectory
from app_support import run_cli
from doctor_support import PRODUCTION_ENV, production_settings, serving
from sqlalchemy.engine import make_url

from bot.migrate import alembic_config, head_revision
from channels.sandbox.app import create_sandbox_app

Capsys = pytest.CaptureFixture[str]


def _closed_port() -> int:
    """A local port nothing listens on: bound, read, released (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _marks(out: str) -> dict[str, str]:
    """Each finding's mark by its name (the lines that start with ✓ ! ✗ –)."""
    found = {}
    for line in out.splitlines():
        if line[:2] in ("✓ ", "! ", "✗ ", "– "):
            name = line[2:].split("：", 1)[0]
            found[name] = line[0]
    return found


def _with_api_base(workdir: Path, key: str, base: str) -> None:
    path = workdir / "settings.toml"
    text = path.read_text(encoding="utf-8")
    line = f'key = "{key}"\n'
    assert text.count(line) == 1
    path.write_text(text.replace(line, f'{line}api_base = "{base}"\n'), encoding="utf-8")


def _production(workdir: Path, monkeypatch: pytest.MonkeyPatch, api_base: str) -> None:
    path = workdir / "settings.toml"
    path.write_text(
        production_settings(path.read_text(encoding="utf-8"), api_base=api_base), encoding="utf-8"
    )
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)


def test_the_demo_passes_every_check(cli_workdir: Path, capsys: Capsys) -> None:
    code, out, err = run_cli(capsys, "doctor")
    assert code == 0, out + err
    marks = _marks(out)
    assert set(marks.values()) == {"✓"}, out
    assert {"设置", "密钥", "生产与演示", "数据库", "数据库迁移", "对外地址"} <= set(marks)
    assert out.rstrip().endswith("项检查通过。")
    assert not (cli_workdir / "var" / "newmedia.db").exists()  # looked at, not created

    code, out, _ = run_cli(capsys, "doctor", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["exit_code"] == 0
    assert {f["status"] for f in report["findings"]} == {"ok"}


def test_production_against_a_sandbox_passes(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _sandbox = create_sandbox_app()
    with serving(app) as base:
        _production(cli_workdir, monkeypatch, base)
        code, out, err = run_cli(capsys, "doctor")
    assert code == 0, out + err
    assert set(_marks(out).values()) == {"✓"}, out
    assert "生产模式" in out
    assert f"{base}/weibo 可以访问" in out
    assert "时钟（127.0.0.1:" in out  # the sandbox's Date header was compared
    for value in PRODUCTION_ENV.values():
        assert value not in out + err


def test_a_missing_secret_names_the_variable_and_never_a_value(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _sandbox = create_sandbox_app()
    with serving(app) as base:
        _production(cli_workdir, monkeypatch, base)
        monkeypatch.delenv("NEWMEDIA_CCMZ_WEIBO_TOKEN")
        code, out, err = run_cli(capsys, "doctor")
        code_json, out_json, err_json = run_cli(capsys, "doctor", "--json")
    assert code == 1 == code_json, out + err
    [line] = [x for x in out.splitlines() if x.startswith("✗ ")]
    assert line.startswith(
        "✗ 密钥：账号 ccmz_weibo（accounts[1]）缺少环境变量 NEWMEDIA_CCMZ_WEIBO_TOKEN"
    )
    assert "修复：在服务的环境文件" in out and "设置 NEWMEDIA_CCMZ_WEIBO_TOKEN" in out
    [bad] = [f for f in json.loads(out_json)["findings"] if f["status"] == "fail"]
    assert bad["check"] == "secrets" and "NEWMEDIA_CCMZ_WEIBO_TOKEN" in bad["fix"]
    for value in PRODUCTION_ENV.values():
        assert value not in out + err + out_json + err_json


def test_a_database_that_refuses_says_so_with_the_fix_and_no_password(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _closed_port()
    monkeypatch.setenv(
        "NEWMEDIA_DATABASE_URL", f"postgresql://bureau:sekrit-pw@127.0.0.1:{port}/nm"
    )
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert f"✗ 数据库：PostgreSQL 127.0.0.1:{port}/nm：连接被拒绝" in out
    assert "修复：数据库没有在这个地址监听：确认 PostgreSQL 已启动" in out
    assert _marks(out)["数据库迁移"] == "–"
    assert "sekrit-pw" not in out + err


def test_a_database_url_that_does_not_parse_is_not_echoed(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", "postgresql://bureau:sekrit-pw@127.0.0.1:port/nm")
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert "✗ 数据库：PostgreSQL （地址无法解析）：无法使用" in out
    assert "sekrit-pw" not in out + err


def _previous_revision(url: str) -> str:
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_revision(head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def test_an_embedded_database_one_migration_behind_warns(cli_workdir: Path, capsys: Capsys) -> None:
    db = cli_workdir / "var" / "newmedia.db"
    db.parent.mkdir()
    previous = _previous_revision(f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (previous,))
    code, out, err = run_cli(capsys, "doctor")
    assert code == 3, out + err
    assert f"! 数据库迁移：数据库的迁移版本是 {previous}，代码需要 {head_revision()}" in out
    assert "newmedia db upgrade" in out
    assert [m for m in _marks(out).values() if m != "✓"] == ["!"]


@pytest.mark.pg_only
async def test_postgresql_one_migration_behind_fails_with_db_upgrade(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    from sqlalchemy import text

    from review.db import create_engine

    previous = _previous_revision(db_url)
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        await conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": previous})
    await engine.dispose()
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", db_url)
    code, out, err = await _run_in_thread(capsys, "doctor")
    assert code == 1, out + err
    assert f"✗ 数据库迁移：数据库的迁移版本是 {previous}，代码需要 {head_revision()}" in out
    assert "修复：运行 newmedia db upgrade" in out
    assert _marks(out)["数据库"] == "✓" and "时钟（数据库服务器）" in out


@pytest.mark.pg_only
async def test_an_unknown_postgresql_database_says_createdb(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    url = db_url.split("?")[0].rsplit("/", 1)[0] + "/no_such_newmedia_db"
    monkeypatch.setenv("NEWMEDIA_DATABASE_URL", url)
    code, out, err = await _run_in_thread(capsys, "doctor")
    assert code == 1, out + err
    assert "/no_such_newmedia_db：数据库不存在" in out
    user = make_url(db_url).username  # the URL's own names, not the documentation's
    assert f"修复：创建它：sudo -u postgres createdb -O {user} no_such_newmedia_db，" in out


async def _run_in_thread(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    """The CLI runs its own event loop: from an async test it runs in a thread."""
    import asyncio

    return await asyncio.to_thread(run_cli, capsys, *argv)


def test_a_platform_base_that_refuses_fails_with_the_fix(cli_workdir: Path, capsys: Capsys) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/weibo"
    _with_api_base(cli_workdir, "ccmz_weibo", base)
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert f"✗ 微博 账号 ccmz_weibo：{base}：连接被拒绝" in out
    assert "python -m bot.sandbox_server" in out and "accounts[1].api_base" in out


def test_a_platform_clock_five_minutes_off_warns(cli_workdir: Path, capsys: Capsys) -> None:
    async def answer(_request: web.Request) -> web.Response:
        ahead = datetime.now(UTC) + timedelta(minutes=5)
        return web.Response(status=404, headers={"Date": format_datetime(ahead, usegmt=True)})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    with serving(app) as base:
        _with_api_base(cli_workdir, "ccmz_wechat", f"{base}/wechat")
        code, out, err = run_cli(capsys, "doctor")
    assert code == 3, out + err
    host = base.removeprefix("http://")
    [line] = [x for x in out.splitlines() if x.startswith("! ")]
    # the Date header has whole seconds: 5 minutes reads as 299 to 301 s
    assert re.match(rf"! 时钟（{host}）：本机时钟比 {host} 慢约 (299|300|301) 秒", line), line
    assert "timestamp_window_seconds（300 秒）" in line
    assert "修复：用 NTP 校准时钟：timedatectl set-ntp true" in out


def test_the_sandbox_fix_names_the_settings_file_in_use(cli_workdir: Path, capsys: Capsys) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/weibo"
    _with_api_base(cli_workdir, "ccmz_weibo", base)
    (cli_workdir / "settings.toml").rename(cli_workdir / "staging.toml")
    code, out, err = run_cli(capsys, "--settings", "staging.toml", "doctor")
    assert code == 1, out + err
    assert "python -m bot.sandbox_server --settings staging.toml --port 端口" in out


#: 43 characters, but "-" and "_" are not in the alphabet of the platforms' base64
NOT_BASE64 = "not-base64_not-base64_not-base64_not-base64"


@pytest.mark.parametrize(
    ("name", "value", "where", "said"),
    [
        ("NEWMEDIA_CCYL_WECHAT_AES_KEY", "short7f3a", "账号 ccyl_wechat（accounts[2]）",
         "有 9 个字符，应为 43 个"),
        ("NEWMEDIA_REVIEW_APP_AES_KEY", NOT_BASE64, "企业微信应用 review_app（wecom_apps[0]）",
         "含有 base64 以外的字符"),
    ],
)  # fmt: skip
def test_a_malformed_aes_key_fails_doctor_and_serve_refuses_it_in_chinese(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch,
    name: str, value: str, where: str, said: str,
) -> None:  # fmt: skip
    app, _sandbox = create_sandbox_app()
    with serving(app) as base:
        _production(cli_workdir, monkeypatch, base)
        monkeypatch.setenv(name, value)
        code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert _marks(out)["设置"] == "✓"  # told once, under 密钥
    [line] = [x for x in out.splitlines() if x.startswith("✗ ")]
    assert line.startswith(f"✗ 密钥：{where}：环境变量 {name} 不是有效的 EncodingAESKey（{said}")
    assert "修复：从" in out and "复制完整的 EncodingAESKey" in out
    assert value not in out + err

    code, out, err = run_cli(capsys, "serve")  # before: ValueError and an English traceback
    assert code == 2, out + err
    assert f"环境变量 {name} 不是有效的 EncodingAESKey" in out + err
    assert "Traceback" not in out + err and value not in out + err


def test_a_short_session_key_and_a_bad_token_key_each_say_how_to_make_one(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _sandbox = create_sandbox_app()
    with serving(app) as base:
        _production(cli_workdir, monkeypatch, base)
        monkeypatch.setenv("NEWMEDIA_SECRET_KEY", "tooshort")
        monkeypatch.setenv("NEWMEDIA_TOKEN_KEY", "notfernet")
        code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    lines = out.splitlines()
    short = lines.index("✗ 密钥：环境变量 NEWMEDIA_SECRET_KEY 太短（8 个字符）")
    assert lines[short + 1].startswith(
        '    修复：至少 32 个字符；生成一个：python3 -c "import secrets; '
    )
    token = lines.index(
        "✗ 密钥：环境变量 NEWMEDIA_TOKEN_KEY 的密钥不是有效的 Fernet 密钥"
        "（应为 32 字节的 URL 安全 base64，44 个字符）"
    )
    assert lines[token + 1].startswith("    修复：生成一个：/opt/newmedia/.venv/bin/python -c ")
    assert "演示值是公开的" not in out  # not the demo-value fix
    assert "tooshort" not in out + err and "notfernet" not in out + err


def test_sandbox_accounts_with_the_sandbox_off_are_named_not_hidden(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cli_workdir / "settings.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[sandbox]\nenabled = true", "[sandbox]\nenabled = false"))
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert "设置中没有账号" not in out
    assert (
        "– 平台：账号 ccmz_wechat、账号 ccmz_weibo、账号 ccyl_wechat、应用 review_app 标记为 "
        "sandbox = true，而 [sandbox] enabled = false：没有可询问的平台地址，未检查"
    ) in out
    assert "另有 4 个标记为 sandbox = true，未检查" in out
    assert out.count("✗ 生产与演示：") == 4


def test_a_default_cover_missing_from_the_media_folder_fails_naming_it(
    cli_workdir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = cli_workdir / "srv" / "images"
    elsewhere.mkdir(parents=True)
    monkeypatch.setenv("NEWMEDIA_MEDIA_ROOT", str(elsewhere))
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1, out + err
    assert (
        "✗ 默认封面 ccmz_wechat：accounts[0].default_cover：封面图片「cover_ccmz.png」不可用："
        f"图片目录 {elsewhere} 中没有这个文件"
    ) in out
    assert f"修复：把封面图片放进 {elsewhere}，或改正 accounts[0].default_cover" in out

    monkeypatch.delenv("NEWMEDIA_MEDIA_ROOT")  # the shipped media/ beside the settings
    code, out, err = run_cli(capsys, "doctor")
    assert code == 0, out + err
    assert f"✓ 默认封面：2 个账号的默认封面都在 {cli_workdir.resolve() / 'media'} 中" in out
