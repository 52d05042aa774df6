"""``newmedia check`` applies the image rule ``draft new`` applies (``review.media``): a draft
whose cover or body image is unusable is a failing item (拦截), never 结论：通过."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli

from bot.cli.check import EXIT_BLOCK, EXIT_OK

DRAFT = """+++
title = "养老服务补贴申领指南"
kind = "工作动态"
cover = "{cover}"
+++
市民政局发布养老服务补贴申领流程。

![流程图]({image})
"""


def draft(folder: Path, cover: str, image: str) -> str:
    path = folder / "post.md"
    path.write_text(DRAFT.format(cover=cover, image=image), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("cover", "image", "why"),
    [
        ("missing.png", "cover_ccmz.png", "封面图片"),
        ("cover_ccmz.png", "../settings.toml", "正文图片"),
        ("/etc/passwd", "cover_ccmz.png", "不能使用绝对路径"),
    ],
)
def test_an_unusable_image_fails_the_check(
    cli_workdir: Path, capsys: pytest.CaptureFixture[str], cover: str, image: str, why: str
) -> None:
    code, out, _ = run_cli(capsys, "check", draft(cli_workdir, cover, image))
    assert code == EXIT_BLOCK, out
    assert "结论：拦截" in out and "[拦截] 图片：" in out and why in out
    code, out, _ = run_cli(capsys, "check", "--json", draft(cli_workdir, cover, image))
    doc = json.loads(out)
    assert code == EXIT_BLOCK and doc["verdict"] == "block"
    assert [c["verdict"] for c in doc["checks"] if c["name"] == "media"] == ["block"]


def test_usable_images_pass(cli_workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", draft(cli_workdir, "cover_ccmz.png", "cover_ccyl.png"))
    assert code == EXIT_OK and "[通过] 图片：" in out, out
