"""Review commands: the queue, claiming, deciding, reassigning and retracting.

Permissions are declared in ``Need`` and checked by the router before these run.
"""

from __future__ import annotations

from bot.chat.formatting import decision_text, listing, task_card, task_line
from bot.chat.registry import Arg, Call, Need, Registry

group = Registry()
REVIEWERS = ("reviewer", "head")
TASK = Arg("task", "任务编号", "id")


@group.command("待审", "/queue", need=Need(roles=REVIEWERS), aliases=("队列",))
async def queue(call: Call) -> str:
    """列出本处室待审核和已认领的任务。"""
    tasks = await call.services.queue(call.caller)
    if not tasks:
        return f"{call.caller.department}目前没有待审任务。"
    return listing(
        f"{call.caller.department}待审任务",
        [task_line(t) for t in tasks],
        shown=10,
        hint="发送「查看 编号」看详情，「认领 编号」开始办理。",
    )


@group.command("查看", "/show", args=(TASK,), need=Need(roles=REVIEWERS, task="task"))
async def show(call: Call) -> str:
    """查看一个审核任务：平台、正文摘录、检查结果、与你上次所看版本的改动、预览链接和下一步。"""
    task = await call.services.show(call.caller, call.args["task"])
    return task_card(task, call.caller)


@group.command(
    "认领", "/claim", args=(TASK,), need=Need(roles=REVIEWERS, task="task", decides=True)
)
async def claim(call: Call) -> str:
    """认领一个任务（谁打开谁负责）；认领期内只有你能办理，到期自动退回本处室队列。"""
    task = await call.services.claim(call.caller, call.args["task"])
    return task_card(task, call.caller, head="已认领。")


@group.command(
    "通过",
    "/approve",
    args=(TASK, Arg("note", "意见", "text", optional=True)),
    need=Need(roles=REVIEWERS, task="task", decides=True, claimant=True),
)
async def approve(call: Call) -> str:
    """审核通过（须先认领）；通过的是当前这一版内容，之后任何修改都要重新审核。"""
    decision = await call.services.approve(call.caller, call.args["task"], call.args["note"])
    return decision_text("通过", decision)


@group.command(
    "驳回",
    "/reject",
    args=(TASK, Arg("reason", "原因", "text")),
    need=Need(roles=REVIEWERS, task="task", decides=True, claimant=True),
)
async def reject(call: Call) -> str:
    """驳回稿件（须先认领，必须写明原因）；驳回后稿件不再发布。"""
    decision = await call.services.reject(call.caller, call.args["task"], call.args["reason"])
    return decision_text("驳回", decision)


@group.command(
    "退回",
    "/revise",
    args=(TASK, Arg("note", "修改意见", "text")),
    need=Need(roles=REVIEWERS, task="task", decides=True, claimant=True),
)
async def revise(call: Call) -> str:
    """退回编辑修改（须先认领，写明修改意见）；修改后重新提交审核。"""
    decision = await call.services.revise(call.caller, call.args["task"], call.args["note"])
    return decision_text("退回", decision)


@group.command(
    "释放",
    "/release",
    args=(TASK,),
    need=Need(roles=REVIEWERS, task="task", claimant=True),
)
async def release(call: Call) -> str:
    """放弃认领，任务回到本处室队列由他人办理。"""
    task = await call.services.release(call.caller, call.args["task"])
    return task_card(task, call.caller, head="已释放。")


@group.command(
    "转交",
    "/reassign",
    args=(TASK, Arg("to", "姓名")),
    need=Need(roles=("head",), task="task", head=True),
)
async def reassign(call: Call) -> str:
    """（处室负责人）把任务转交给本处室另一位审核人。"""
    task = await call.services.reassign(call.caller, call.args["task"], call.args["to"])
    return task_card(task, call.caller, head=f"已转交给{task.holder or call.args['to']}。")


@group.command(
    "撤回",
    "/retract",
    args=(Arg("publication", "发布号", "id"), Arg("reason", "原因", "text")),
    need=Need(roles=REVIEWERS, publication="publication"),
)
async def retract(call: Call) -> str:
    """撤回已发布的内容（发布失当及时整改，必须写明原因，全程留痕）。"""
    return await call.services.retract(call.caller, call.args["publication"], call.args["reason"])


@group.command(
    "更正",
    "/correct",
    args=(Arg("publication", "发布号", "id"), Arg("text", "更正内容", "text", optional=True)),
    need=Need(roles=REVIEWERS, publication="publication"),
)
async def correct(call: Call) -> str:
    """为已撤回或有误的发布起草更正说明，并提交本账号的审核流程。"""
    return await call.services.correct(call.caller, call.args["publication"], call.args["text"])
