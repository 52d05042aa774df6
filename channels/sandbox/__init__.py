"""Fake platforms and client-side simulators (follower, reviewer phone) for the demo and tests."""

from channels.sandbox.app import (
    SANDBOX_KEY,
    Sandbox,
    TimelineEntry,
    create_sandbox,
    create_sandbox_app,
)
from channels.sandbox.config import (
    EventSink,
    SandboxConfig,
    WeChatAccount,
    WeComCorp,
    WeiboAccount,
)

__all__ = [
    "SANDBOX_KEY",
    "EventSink",
    "Sandbox",
    "SandboxConfig",
    "TimelineEntry",
    "WeChatAccount",
    "WeComCorp",
    "WeiboAccount",
    "create_sandbox",
    "create_sandbox_app",
]
