"""The media folder from settings: ``[media] root`` beside the settings file, or
``$NEWMEDIA_MEDIA_ROOT``; ``[media] max_bytes``. The rule itself is ``review.media``."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config.load import Settings
from review.media import MediaPolicy


def media_root_for(settings: Settings) -> Path:
    """Covers and body images are read from here and nowhere else; uploads are stored here."""
    configured = os.environ.get("NEWMEDIA_MEDIA_ROOT")
    base = settings.path.resolve().parent
    return (base / (configured or settings.file.media.root)).resolve()


def media_policy(settings: Settings) -> MediaPolicy:
    return MediaPolicy(media_root_for(settings), settings.file.media.max_bytes)
