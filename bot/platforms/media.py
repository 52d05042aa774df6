"""The media folder from settings: ``[media] root`` beside the settings file, or
``$NEWMEDIA_MEDIA_ROOT``; ``[media] max_bytes``. The rule itself is ``review.media``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.config.load import Settings
from bot.config.schema import SettingsFile
from review.media import MediaPolicy


def media_root(settings_path: Path, f: SettingsFile, env: Mapping[str, str]) -> Path:
    """The folder itself (``newmedia doctor`` asks it too, from settings that may not load)."""
    configured = env.get("NEWMEDIA_MEDIA_ROOT")
    return (settings_path.resolve().parent / (configured or f.media.root)).resolve()


def media_root_for(settings: Settings) -> Path:
    """Covers and body images are read from here and nowhere else; uploads are stored here."""
    return media_root(settings.path, settings.file, os.environ)


def media_policy(settings: Settings) -> MediaPolicy:
    return MediaPolicy(media_root_for(settings), settings.file.media.max_bytes)
