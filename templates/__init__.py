"""Every Jinja template of the project, found one way: by folder inside this package.

The package is installed with the code, so templates are found wherever it runs (a clean
checkout, an installed wheel, a worker process) without paths counted up from ``__file__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

ROOT = Path(__file__).resolve().parent


def loader(folder: str) -> jinja2.BaseLoader:
    """The templates of one folder (``chat``, ``web``, ``wechat`` …)."""
    return jinja2.FileSystemLoader(str(ROOT / folder))


def environment(folder: str, **options: Any) -> jinja2.Environment:
    """An environment over one folder; each caller states its escaping (HTML or plain text)."""
    return jinja2.Environment(loader=loader(folder), **options)  # noqa: S701 — callers choose
