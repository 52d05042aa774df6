"""deploy/newmedia.env.example names every secret the service asks for in production, and
nothing the service would not read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.load import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "deploy" / "newmedia.env.example"


def _production_settings(tmp_path: Path) -> Path:
    """The shipped settings.toml with the sandbox off: every account is a real one."""
    text = (ROOT / "settings.toml").read_text(encoding="utf-8")
    text = re.sub(r"^\[sandbox\]\nenabled = true$", "[sandbox]\nenabled = false", text, flags=re.M)
    text = re.sub(r"^sandbox = true$", "sandbox = false", text, flags=re.M)
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    for name in ("bureau_wording.toml", "bureau_public_numbers.txt", "bureau_duties.toml"):
        if (ROOT / name).exists():
            (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    return path


def test_every_variable_production_asks_for_is_in_the_example(tmp_path: Path) -> None:
    example = EXAMPLE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?(NEWMEDIA_[A-Z0-9_]+)=", example, re.M))
    with pytest.raises(SettingsError) as refused:
        load_settings(_production_settings(tmp_path), env={}, for_service=True)
    asked = set(re.findall(r"NEWMEDIA_[A-Z0-9_]+", str(refused.value)))
    assert {"NEWMEDIA_SECRET_KEY", "NEWMEDIA_TOKEN_KEY", "NEWMEDIA_CCMZ_WECHAT_AES_KEY"} <= asked
    assert asked <= listed, sorted(asked - listed)
    assert "NEWMEDIA_DATABASE_URL" in listed and "NEWMEDIA_LOG_FORMAT" in listed

    # and each one the service reads somewhere in its code (no name made up)
    code = "\n".join(
        p.read_text(encoding="utf-8") for d in ("bot", "review") for p in (ROOT / d).rglob("*.py")
    )
    generic = {
        re.sub(r"^NEWMEDIA_[A-Z0-9_]+?_(APP_SECRET|TOKEN|AES_KEY)$", r"\1", n) for n in listed
    }
    for name in generic:
        assert name in code, name


def test_the_example_holds_no_secret_value() -> None:
    values = re.findall(r"^(NEWMEDIA_[A-Z0-9_]+)=(.*)$", EXAMPLE.read_text(encoding="utf-8"), re.M)
    filled = {name: value for name, value in values if value}
    assert set(filled) == {"NEWMEDIA_DATABASE_URL", "NEWMEDIA_LOG_FORMAT"}
    assert ":CHANGE-ME@" in filled["NEWMEDIA_DATABASE_URL"]
