"""``newmedia check``: run the compliance gate on a draft file, or on JSON lines from stdin."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from bot.cli.check import EXIT_BLOCK, EXIT_ERROR, EXIT_OK
from bot.config.load import Settings, SettingsError, SettingsNotFound, load_settings
from bot.platforms.limits import PLATFORM_LIMITS
from bot.platforms.media import media_policy
from review.checks import GateInput, GateReport, GateTarget, Verdict, default_lexicons, run_gate
from review.checks.labels import CHECK_LABELS, FIELD_LABELS, verdict_label
from review.checks.types import CheckResult
from review.draft_rules import content_problems
from review.frontmatter import FrontMatterError, parse_draft_file
from review.media import MediaRefused, body_images, check_draft

LABELS = {v: verdict_label(v) for v in Verdict}
MEDIA_HINT = "把图片放进设置 [media] root 所指的图片目录并写相对路径，或在控制台上传"
FLUSH_EVERY = 500
EXIT_SETTINGS = 2  # the CLI's 'bad arguments or settings'
#: what ``check`` without usable settings leaves out (it still checks: any file, anywhere)
WITHOUT_SETTINGS = "只用内置的检查规则，未应用本局词表和账号设置"


def _load(args: argparse.Namespace, *, required: bool) -> Settings | None:
    """The settings; without ``required`` a missing or broken settings file is fine (None)."""
    try:
        return load_settings(getattr(args, "settings", None))
    except Exception:
        if required:
            raise
        return None


def _load_accounts(args: argparse.Namespace, *, required: bool) -> dict[str, Any]:
    settings = _load(args, required=required)
    return {} if settings is None else dict(settings.accounts)


def _media_check(args: argparse.Namespace, cover: str | None, body: str) -> CheckResult | None:
    """The rule ``draft new`` applies (``review.media.check_draft``): every image the draft
    names must be an acceptable file of the media folder. None when it names none."""
    if not cover and not body_images(body):
        return None
    settings = _load(args, required=False)
    if settings is None:
        reason = "无法读取设置文件，不知道图片目录，封面和正文图片未检查"
        return CheckResult("media", Verdict.WARN, reason)
    try:
        check_draft(media_policy(settings), cover, body)
    except MediaRefused as exc:
        return CheckResult("media", Verdict.BLOCK, exc.message, suggestion=MEDIA_HINT)
    return CheckResult("media", Verdict.PASS, "封面和正文图片均可用")


def _door_check(inp: GateInput) -> CheckResult | None:
    """The rules ``draft new`` refuses a draft by (``review.draft_rules``): an empty body, an
    unknown kind, … — so ``check`` never passes a file ``draft new`` would refuse."""
    problems = content_problems(inp.title, inp.body, inp.kind, inp.source)
    problems = [p for p in problems if p.field != "source"]  # the gate's reprint_source says it
    if not problems:
        return None
    reason = "；".join(p.message for p in problems)
    return CheckResult("draft", Verdict.BLOCK, reason, suggestion="改正后 draft new 才会接收")


def _with(report: GateReport, *extras: CheckResult | None) -> GateReport:
    checks = (*report.checks, *(e for e in extras if e is not None))
    if len(checks) == len(report.checks):
        return report
    return GateReport(Verdict.worst([c.verdict for c in checks]), checks)


def _targets(args: argparse.Namespace) -> tuple[GateTarget, ...]:
    """Targets from ``--account`` via the settings, or the first WeChat and Weibo accounts there
    (plain ``wechat``/``weibo`` targets without a safe domain when no settings can be read)."""
    keys: list[str] = list(args.account or [])
    accounts = _load_accounts(args, required=bool(keys))
    if keys:
        missing = [k for k in keys if k not in accounts]
        if missing:
            raise KeyError("、".join(missing))
        return tuple(
            GateTarget(k, str(accounts[k].platform), getattr(accounts[k], "safe_domain", None))
            for k in keys
        )
    out = []
    for platform in ("wechat", "weibo"):
        found = [(k, a) for k, a in accounts.items() if str(a.platform) == platform]
        key, acc = found[0] if found else (platform, None)
        out.append(GateTarget(key, platform, getattr(acc, "safe_domain", None)))
    return tuple(out)


def _print_report(report: GateReport, name: str, title: str, out: IO[str]) -> None:
    out.write(f"稿件：{name}  标题：{title or '（无）'}\n")
    out.write(f"结论：{LABELS[report.verdict]}（{report.verdict}）\n")
    for c in report.checks:
        extra = "（可经负责人审批放行）" if c.overridable else ""
        out.write(f"[{LABELS[c.verdict]}] {CHECK_LABELS.get(c.name, c.name)}：{c.reason}{extra}\n")
        if c.verdict is Verdict.PASS:
            continue
        for ev in c.evidence:
            where = FIELD_LABELS.get(ev.field, ev.field)
            out.write(f"    · {where} 第{ev.start + 1}–{ev.end}字：“{ev.text}”\n")
        if c.suggestion:
            out.write(f"    建议：{c.suggestion}\n")


def _run_file(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        meta, body = parse_draft_file(path.read_text(encoding="utf-8"))
        targets = _targets(args)
    except OSError as exc:
        print(f"无法读取稿件 {path}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except UnicodeDecodeError:
        print(f"稿件 {path} 不是 UTF-8 编码的文本", file=sys.stderr)
        return EXIT_ERROR
    except FrontMatterError as exc:
        print(f"{path} {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyError as exc:
        print(f"设置中没有账号：{exc.args[0]}", file=sys.stderr)
        return EXIT_ERROR
    cover = str(meta.get("cover") or "") or None
    if not cover:  # the account's standard cover is used when the draft brings none
        accounts = _load_accounts(args, required=False)
        wechat = [accounts.get(t.account_key) for t in targets if t.platform == "wechat"]
        cover = next((str(a.default_cover) for a in wechat if a and a.default_cover), None)
    inp = GateInput(
        title=str(meta.get("title", "")),
        body=body,
        kind=str(meta.get("kind", "工作动态")),
        source=str(meta["source"]) if "source" in meta else None,
        author=str(meta.get("author", "")),
        digest=str(meta.get("digest", "")),
        has_cover=bool(cover),
        targets=targets,
        disclosure=str(meta.get("disclosure") or "主动公开"),
    )
    report = _with(
        run_gate(inp, limits=PLATFORM_LIMITS), _door_check(inp), _media_check(args, cover, body)
    )
    if args.json:
        doc = {"file": str(path), "title": inp.title, **report.to_json()}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _print_report(report, str(path), inp.title, sys.stdout)
    return EXIT_BLOCK if report.verdict is Verdict.BLOCK else EXIT_OK


def _line_input(raw: bytes, targets: tuple[GateTarget, ...]) -> tuple[Any, GateInput | str]:
    """(id, input) for a good line, (id or None, Chinese error) for a bad one."""
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"不是有效的 JSON：{exc}"
    if not isinstance(obj, dict):
        return None, "每行应为一个 JSON 对象"
    ident = obj.get("id")
    text, title, kind = obj.get("text"), obj.get("title", ""), obj.get("kind", "工作动态")
    if not isinstance(text, str):
        return ident, "缺少文字字段 text"
    if not isinstance(title, str) or not isinstance(kind, str):
        return ident, "title 和 kind 应为文字"
    source = obj.get("source")
    return ident, GateInput(
        title=title,
        body=text,
        kind=kind,
        source=source if isinstance(source, str) else None,
        targets=targets,
    )


def run_jsonl(stdin: IO[bytes], stdout: IO[str], targets: tuple[GateTarget, ...] = ()) -> int:
    """Stream: one output line per non-blank input line (lexicons loaded once, the bureau's
    lists looked at again as they are edited)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    pending: list[str] = []
    for raw in stdin:
        if not raw.strip():
            continue
        ident, inp = _line_input(raw, targets)
        if isinstance(inp, str):
            pending.append(dumps({"id": ident, "error": inp}))
        else:
            try:  # the lists as they are now: an edit of the bureau's lists applies mid-stream
                report = run_gate(inp, limits=PLATFORM_LIMITS, lexicons=default_lexicons())
                pending.append(dumps({"id": ident, **report.to_json()}))
            except Exception as exc:
                pending.append(dumps({"id": ident, "error": f"检查失败：{type(exc).__name__}"}))
        if len(pending) >= FLUSH_EVERY:
            stdout.write("\n".join(pending) + "\n")
            stdout.flush()
            pending.clear()
    if pending:
        stdout.write("\n".join(pending) + "\n")
    stdout.flush()
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    """With the bureau's word lists (``[lists]`` in the settings) when there are settings; a
    broken list is refused with its file, line and problem."""
    settings = _settings_or_say(args)
    if settings is None or not settings.lists.configured:
        return _check(args)
    from bot.config.lists import gate_lists

    try:
        with gate_lists(settings) as lists:
            code = _check(args)
            for problem in lists.problems:  # an edit during a --jsonl stream that was refused
                print(f"本局词表的修改未生效，仍按上一版检查：{problem}", file=sys.stderr)
            return code
    except SettingsError as exc:
        print(f"本局词表有误，未检查：{'；'.join(exc.problems)}", file=sys.stderr)
        return EXIT_SETTINGS


def _settings_or_say(args: argparse.Namespace) -> Settings | None:
    """The settings, or None with one line on stderr saying what the check then leaves out
    (with ``--account`` the settings are required: the runner reports the error itself)."""
    try:
        return load_settings(getattr(args, "settings", None))
    except SettingsNotFound as exc:
        said = f"{exc.path}：{exc.WHAT}，{WITHOUT_SETTINGS}（{exc.HINT}）"
    except SettingsError as exc:
        said = f"{exc.path}：设置有误，{WITHOUT_SETTINGS}：{'；'.join(exc.problems)}"
    except OSError as exc:
        said = f"无法读取设置文件（{exc.strerror or exc}），{WITHOUT_SETTINGS}"
    if not args.account:
        print(said, file=sys.stderr)
    return None


def _check(args: argparse.Namespace) -> int:
    if args.jsonl:
        try:
            targets = _targets(args) if args.account else ()
        except KeyError as exc:
            print(f"设置中没有账号：{exc.args[0]}", file=sys.stderr)
            return EXIT_ERROR
        return run_jsonl(sys.stdin.buffer, sys.stdout, targets)
    if not args.file:
        print("请指定稿件文件，或使用 --jsonl 从标准输入读取", file=sys.stderr)
        return EXIT_ERROR
    return _run_file(args)
