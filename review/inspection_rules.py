"""The self-inspection's thresholds, each naming where it comes from (one home), and the pure
rules that turn facts into pass / at risk / fail.

The national checklist (国办秘函〔2019〕19号 《政府网站与政务新媒体检查指标》) names the items
and fixes one number: two weeks without an update is a single veto. Everything else it leaves
to the operator — when an unanswered message means interaction has stopped working, when an
account is "at risk", that 先审后发 is a veto here — and those are 「本局设定」, said so in the
report beside each threshold. Change a number here and every surface follows (the report, the
console's account page, the dormant-account alerts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NATIONAL = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》"
BUREAU = "本局设定"

PASS, AT_RISK, FAIL = "pass", "at_risk", "fail"
STATUS_LABELS = {PASS: "通过", AT_RISK: "有风险", FAIL: "不通过"}
VETO, DEDUCT = "veto", "deduct"
LEVEL_LABELS = {VETO: "单项否决", DEDUCT: "扣分"}


@dataclass(frozen=True)
class Threshold:
    key: str
    value: int | None  # None: the rule has no single number (the deadlines are per topic)
    unit: str
    meaning: str
    source: str

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "meaning": self.meaning,
            "source": self.source,
        }


#: the 14-day rule's one home (the console's account page and the dormant alerts read these)
VETO_QUIET_DAYS = 14
DEDUCT_QUIET_DAYS = 7

QUIET_FAIL = Threshold(
    "quiet_fail", VETO_QUIET_DAYS, "天", "监测时间点前 2 周内无更新（平台后台发布也计入）",
    f"{NATIONAL} 政务新媒体单项否决指标「内容更新」",
)  # fmt: skip
QUIET_RISK = Threshold(
    "quiet_risk", DEDUCT_QUIET_DAYS, "天", "连续 7 天无更新即提示风险（离否决线还有一周）", BUREAU
)
UNANSWERED_FAIL = Threshold(
    "unanswered_fail", 30, "天",
    "留言超过答复期限 30 天仍未答复，视为互动功能未有效运转", BUREAU,
)  # fmt: skip
UNANSWERED_RISK = Threshold(
    "unanswered_risk", None, "", "有留言超过答复期限仍未答复即提示风险", BUREAU
)
ANSWER_DEADLINE = Threshold(
    "answer_deadline", None, "",
    "答复期限按留言分类的办理时限计（收件箱记录的期限，见 review/data/routing.toml）；"
    "超过期限才答复或仍未答复即扣分", BUREAU,
)  # fmt: skip
DUE_SOON = Threshold("due_soon", 24, "小时", "答复期限 24 小时内到期且尚未答复即提示风险", BUREAU)
SERIOUS = Threshold(
    "serious", 1, "条",
    "经负责人批准例外放行的涉密、错敏词、个人信息拦截，或期内撤回、更正的发布：提示风险，"
    "需人工判定是否属严重表述错误或泄密；同一条既被例外放行又被撤回或更正：不通过", BUREAU,
)  # fmt: skip
REVIEWED = Threshold(
    "reviewed", 1, "条",
    "每条上线内容（含平台后台直接发布）须经审核链全部环节审核同一内容（先审后发），"
    "有 1 条未经审核即不通过", BUREAU,
)  # fmt: skip
PUBLISHING = Threshold("publishing", 1, "条", "期内有发布失败或待人工核对未处理即扣分", BUREAU)

#: the gate's checks whose overridden block points at a serious error or a leak
SERIOUS_CHECKS = ("secrecy", "wording", "personal_data")


@dataclass(frozen=True)
class ItemSpec:
    key: str
    name: str
    level: str
    #: the checklist item it answers to, or 「本局设定」 for the bureau's own item
    indicator: str
    thresholds: tuple[Threshold, ...]


UPDATE = ItemSpec(
    "update", "内容更新", VETO, f"{NATIONAL} 单项否决指标「内容更新」", (QUIET_FAIL, QUIET_RISK)
)
INTERACTION = ItemSpec(
    "interaction", "互动回应差（留言无人答复）", VETO,
    f"{NATIONAL} 单项否决指标「互动回应差」", (UNANSWERED_FAIL, UNANSWERED_RISK),
)  # fmt: skip
ACCURACY = ItemSpec(
    "accuracy", "严重表述错误、泄密", VETO,
    f"{NATIONAL} 单项否决指标「安全、泄密事故等」", (SERIOUS,),
)  # fmt: skip
REVIEW = ItemSpec("review", "先审后发", VETO, BUREAU, (REVIEWED,))
ANSWERS = ItemSpec(
    "answers", "留言办理（答复不及时或未答复）", DEDUCT,
    f"{NATIONAL} 扣分指标「互动回应」", (ANSWER_DEADLINE, DUE_SOON),
)  # fmt: skip
PUBLISH = ItemSpec("publishing", "发布保障", DEDUCT, BUREAU, (PUBLISHING,))

#: per account, in the order the report shows them
ACCOUNT_ITEMS = (UPDATE, INTERACTION, ACCURACY, REVIEW, ANSWERS, PUBLISH)
THRESHOLDS = tuple(t for item in ACCOUNT_ITEMS for t in item.thresholds)


# ---- the rules (pure) -----------------------------------------------------------------------


def quiet_days(last: datetime | None, created: datetime, as_of: datetime) -> int:
    """Whole days since the last post (since the account was created when it never posted)."""
    return max(0, int((as_of - (last or created)).total_seconds() // 86400))


def update_status(days: int) -> str:
    if days >= VETO_QUIET_DAYS:
        return FAIL
    return AT_RISK if days >= DEDUCT_QUIET_DAYS else PASS


#: one message's answer as of a moment
ON_TIME, LATE, MISSING, DUE, OPEN, SETTLED = (
    "on_time", "late", "missing", "due_soon", "open", "settled"
)  # fmt: skip


def answer_state(
    deadline: datetime | None, answered_at: datetime | None, settled: bool, as_of: datetime
) -> str:
    """``settled``: answered or closed with no time recorded (spam, a duplicate, an old row)."""
    if answered_at is not None and answered_at <= as_of:
        return LATE if deadline is not None and answered_at > deadline else ON_TIME
    if settled and answered_at is None:
        return SETTLED
    if deadline is None:
        return OPEN
    if deadline < as_of:
        return MISSING
    return DUE if deadline - as_of <= timedelta(hours=DUE_SOON.value or 0) else OPEN


def overdue_days(deadline: datetime, as_of: datetime) -> int:
    return max(0, int((as_of - deadline).total_seconds() // 86400))


def interaction_status(overdue: list[int]) -> str:
    """``overdue``: days past the deadline of each message still unanswered."""
    if any(d >= (UNANSWERED_FAIL.value or 0) for d in overdue):
        return FAIL
    return AT_RISK if overdue else PASS


def answers_status(late: int, missing: int, due_soon: int) -> str:
    if late + missing:
        return FAIL
    return AT_RISK if due_soon else PASS


def accuracy_status(overridden: set[int], pulled: set[int]) -> str:
    """Publication ids that went out over a serious block, and those retracted or corrected."""
    if overridden & pulled:
        return FAIL
    return AT_RISK if overridden or pulled else PASS


def count_status(n: int) -> str:
    """先审后发 and 发布保障: one case is enough to fail."""
    return FAIL if n else PASS


# ---- the seed's clocks: their numbers are settings ([disclosure]), their source the bureau ----


def interpretation_threshold(working_days: int) -> Threshold:
    return Threshold(
        "interpretation_days", working_days, "工作日",
        f"规范性文件发布后 {working_days} 个工作日内由起草部门发布政策解读（谁起草、谁解读）",
        f"{BUREAU}（settings.toml [disclosure] interpretation_working_days）",
    )  # fmt: skip


def press_threshold(minimum: int) -> Threshold:
    return Threshold(
        "press_quarterly", minimum, "次",
        f"每季度至少 {minimum} 次新闻发布（新闻发布稿或新闻发布会）",
        f"{BUREAU}（settings.toml [disclosure] press_quarterly_minimum）",
    )  # fmt: skip


def interpretation_status(overdue: int, late: int, due: int) -> str:
    if overdue + late:
        return FAIL
    return AT_RISK if due else PASS


def press_status(short: int, open_not_met: bool) -> str:
    if short:
        return FAIL
    return AT_RISK if open_not_met else PASS
