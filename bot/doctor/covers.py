"""Each WeChat account's ``default_cover``, looked up where the publisher will read it (the
doctor's I/O for covers; ``rules.cover_findings`` judges): a WeChat draft without a cover is
refused by the platform, so a cover missing from the media folder fails every draft of that
account — found here, before the first one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.config.schema import SettingsFile
from bot.doctor.facts import CoverFacts
from bot.platforms.media import media_root
from review.media import MediaPolicy, MediaRefused, resolve


def gather_covers(f: SettingsFile, settings_path: Path, env: Mapping[str, str]) -> CoverFacts:
    """Looked up through ``review.media.resolve``, the publisher's own rule (no file is read)."""
    root = media_root(settings_path, f, env)
    policy = MediaPolicy(root, f.media.max_bytes)
    refused: list[tuple[str, str, str]] = []
    checked = 0
    for i, a in enumerate(f.accounts):
        if a.platform != "wechat" or not a.default_cover:  # only WeChat drafts take it
            continue
        checked += 1
        try:
            resolve(policy, a.default_cover)
        except MediaRefused as exc:
            refused.append((a.key, f"accounts[{i}].default_cover", exc.message))
    return CoverFacts(str(root), tuple(refused), checked)
