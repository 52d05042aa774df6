"""The OA fallback: a whitelisted staff follower's text message runs as a chat command.

``bot.inbox.callback`` has already matched the follower's openid to a person (the whitelist) and
hands over the person's key; the router then does everything else exactly as for WeCom.
"""

from __future__ import annotations

from bot.chat.router import ChatInput, Router
from bot.inbox.inbound import StaffCommandHandler

#: ChatBackend.identify platform for a person key the OA callback already resolved
STAFF_KEY = "staff_key"


def staff_handler(router: Router) -> StaffCommandHandler:
    async def handle(account_key: str, person_key: str, text: str, *, msg_key: str) -> str:
        key = f"wechat:{account_key}:{person_key}:{msg_key}"[:200]  # a MsgId is per sender
        answer = await router.handle(ChatInput(STAFF_KEY, person_key, text, key))
        return answer.text

    return handle
