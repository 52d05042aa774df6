"""A draft's life on the command line: the author is named, the front matter is checked key by
key, ``check`` and ``draft new`` agree, only the owner department submits, an edit keeps the
schedule, and a scheduled post can be moved or stopped before it goes out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import run_cli
from publishing_support import seed
from sqlalchemy import update

from review import schedule_changes
from review.db import SessionFactory
from review.errors import Conflict
from review.models import Publication, utcnow
from review.store import directory
from review.store import schedule_changes as guarded

run = run_cli
AS = ("--as", "zhao_min")


def approve_all(capsys: pytest.CaptureFixture[str]) -> None:
    """Every stage of the 通知公告 chain of 长春民政, by the people who hold them."""
    for person in ("li_na", "wang_qiang", "chen_jing"):
        code, out, err = run(capsys, "review", "queue", "--as", person, "--json")
        assert code == 0, err
        for task in json.loads(out):
            assert run(capsys, "review", "claim", str(task["id"]), "--as", person)[0] == 0
            code, out, err = run(capsys, "review", "approve", str(task["id"]), "--as", person)
            assert code == 0, out + err


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run(capsys, "draft", "list", "--json")
    assert code == 0
    return {d["title"]: d["status_label"] for d in json.loads(out)}


def test_draft_new_without_an_author_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat")
    assert code == 2 and "请用 --as 指定作者" in err
    assert json.loads(run(capsys, "draft", "list", "--json")[1]) == []


def test_an_unknown_front_matter_key_is_refused_with_the_key_meant(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "typo.md").write_text(
        '+++\ntitel = "关于冬季救助的通知"\npublish_at = "2099-12-01 09:00"\n+++\n正文',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "draft", "new", "typo.md", "--account", "ccmz_wechat", *AS)
    assert code == 2 and "第 2 行" in err and "「titel」" in err and "是不是想写 title" in err
    code, _, err = run(capsys, "check", "typo.md")
    assert code != 0 and "是不是想写 title" in err  # check reads the file the same way
    (workdir / "typo.md").write_text(
        '+++\ntitle = "关于冬季救助的通知"\npublish_at = "2099-12-01 09:00"\n+++\n正文',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "draft", "new", "typo.md", "--account", "ccmz_wechat", *AS)
    assert code == 2 and "「publish_at」" in err and "是不是想写 at" in err
    assert json.loads(run(capsys, "draft", "list", "--json")[1]) == []


def test_check_blocks_what_draft_new_refuses(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "empty.md").write_text('+++\ntitle = "关于冬季救助的通知"\n+++\n\n', "utf-8")
    code, out, _ = run(capsys, "check", "empty.md")
    assert code == 3 and "[拦截] 稿件：正文不能为空" in out
    code, _, err = run(capsys, "draft", "new", "empty.md", "--account", "ccmz_wechat", *AS)
    assert code == 2 and "正文不能为空" in err
    # and what draft new takes, check does not block for being no draft
    code, out, _ = run(capsys, "check", "post.md")
    assert "[拦截] 稿件" not in out


def test_a_normative_document_is_accepted_in_front_matter(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "rule.md").write_text(
        '+++\ntitle = "长春市最低生活保障审核确认办法"\nkind = "规范性文件"\n+++\n第一条 为规范低保审核确认工作，制定本办法。',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "draft", "new", "rule.md", "--account", "ccmz_wechat", *AS)
    assert code == 0, err
    assert json.loads(run(capsys, "draft", "show", "1", "--json")[1])["kind"] == "规范性文件"


def test_only_the_owner_department_submits(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "draft", "new", "post.md", "--account", "ccmz_wechat", *AS)[0] == 0
    code, _, err = run(capsys, "draft", "submit", "1", "--as", "wu_fang")  # 养老服务处's editor
    assert code == 2 and "谁开设、谁管理" in err and "办公室" in err
    code, out, _ = run(capsys, "draft", "show", "1", "--json")
    assert json.loads(out)["status"] == "draft"
    code, _, err = run(capsys, "draft", "edit", "1", "post.md", "--as", "wu_fang")
    assert code == 2 and "谁开设、谁管理" in err and "修改" in err
    assert json.loads(run(capsys, "draft", "show", "1", "--json")[1])["revision"] == 1
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 0


def test_schedule_kept_moved_cancelled_and_resumed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "关于开展2026年冬季流浪乞讨人员专项救助行动的通知"
    new = ("draft", "new", "post.md", "--account", "ccmz_wechat", "--at", "2099-12-01 09:00")
    assert run(capsys, *new, *AS)[0] == 0
    assert run(capsys, "draft", "submit", "1", *AS)[0] == 0
    approve_all(capsys)
    assert listed(capsys) == {title: "待发布"}
    pubs = json.loads(run(capsys, "publications", "list", "--json")[1])
    assert [(p["id"], p["status"], p["due"]) for p in pubs] == [
        (1, "scheduled", "2099-12-01 09:00")
    ]

    # moving it: the owner department's editor may, 养老服务处's may not
    move = ("draft", "reschedule", "1", "--at", "2099-12-03 09:00")
    code, _, err = run(capsys, *move, "--as", "wu_fang")
    assert code == 2 and "谁开设、谁管理" in err
    code, out, err = run(capsys, *move, *AS)
    assert code == 0 and "发布时间改为 12月3日 09:00" in out, err
    pubs = json.loads(run(capsys, "publications", "list", "--json")[1])
    assert [(p["status"], p["due"]) for p in pubs] == [("scheduled", "2099-12-03 09:00")]

    # stopping it: a reviewer may not, the head may; twice is refused with the reason
    code, _, err = run(capsys, "publications", "cancel", "1", "--as", "li_na")
    assert code == 2 and "不是编辑或处室负责人" in err
    code, out, _ = run(capsys, "publications", "cancel", "1", "--as", "wang_qiang")
    assert code == 0 and "已取消发布 1" in out
    assert listed(capsys) == {title: "已取消发布"}
    code, _, err = run(capsys, "publications", "cancel", "1", "--as", "wang_qiang")
    assert code == 2 and "已取消" in err

    # rescheduling a cancelled post schedules it again, content and approvals kept
    code, out, _ = run(capsys, "draft", "reschedule", "1", "--at", "2099-12-04 10:30", *AS)
    assert code == 0 and "12月4日 10:30" in out
    assert "已取消的发布 1 恢复为待发布" in out  # said, not done silently
    assert listed(capsys) == {title: "待发布"}
    actions = [e["action"] for e in json.loads(run(capsys, "audit", "list", "--json")[1])]
    assert {"draft.reschedule", "publication.cancel"} <= set(actions)

    # an edit without --at keeps the time, and says so
    (workdir / "post.md").write_text(
        (workdir / "post.md").read_text("utf-8").replace("专项救助行动", "专项救助"), "utf-8"
    )
    code, out, err = run(capsys, "draft", "edit", "1", "post.md", *AS)
    assert code == 0 and "发布时间保持为 12月4日 10:30" in out, err
    shown = json.loads(run(capsys, "draft", "show", "1", "--json")[1])
    assert shown["publish_at"] == "2099-12-04T02:30:00+00:00" and shown["revision"] == 2
    code, out, _ = run(capsys, "draft", "edit", "1", "post.md", "--no-at", *AS)
    assert code == 0 and "发布时间已取消" in out
    assert json.loads(run(capsys, "draft", "show", "1", "--json")[1])["publish_at"] is None


@pytest.mark.pg
async def test_a_claimed_publication_cannot_be_cancelled_or_moved(sf: SessionFactory) -> None:
    seeded = await seed(sf, 2, due_at=utcnow())
    first, second = seeded.publication_ids
    async with sf.begin() as s:
        # the publisher claims the first one
        await s.execute(
            update(Publication).where(Publication.id == first).values(status="publishing")
        )
    async with sf.begin() as s:
        head = await directory.person_by_key(s, "wang_qiang")
        assert head is not None
        with pytest.raises(Conflict) as caught:
            await schedule_changes.cancel_publication(s, first, head)
        assert "已被发布程序领取" in caught.value.message
        with pytest.raises(Conflict):
            await schedule_changes.reschedule(s, 1, head, utcnow())
    async with sf.begin() as s:
        # the guard itself: claimed between the read and the UPDATE, the UPDATE moves nothing
        assert await guarded.cancel(s, first) is False
        assert await guarded.move_due(s, first, utcnow()) is False
        assert await guarded.cancel(s, second) is True
        assert await guarded.cancel(s, second) is False


def test_list_by_the_state_staff_see(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--state`` takes what the list shows (已取消发布, 待发布 …, or its key), not only the stored
    status: both drafts below are stored as scheduled."""
    winter = "关于开展2026年冬季流浪乞讨人员专项救助行动的通知"
    text = (workdir / "post.md").read_text(encoding="utf-8")
    (workdir / "other.md").write_text(text.replace(winter, "关于做好寒潮期间救助工作的通知"))
    for name in ("post.md", "other.md"):
        new = ("draft", "new", name, "--account", "ccmz_wechat", "--at", "2099-12-01 09:00")
        assert run(capsys, *new, *AS)[0] == 0
    for draft in ("1", "2"):
        assert run(capsys, "draft", "submit", draft, *AS)[0] == 0
    approve_all(capsys)
    assert run(capsys, "draft", "cancel", "1", "--as", "wang_qiang")[0] == 0

    def titles(state: str) -> list[str]:
        code, out, err = run(capsys, "draft", "list", "--state", state, "--json")
        assert code == 0, err
        return [d["title"] for d in json.loads(out)]

    assert titles("已取消发布") == titles("cancelled") == [winter]
    assert titles("待发布") == titles("scheduled") == ["关于做好寒潮期间救助工作的通知"]
    assert titles("草稿") == titles("已发布") == []
    code, _, err = run(capsys, "draft", "list", "--state", "publised")
    assert code == 2 and "未知的状态「publised」" in err and "已发布" in err
