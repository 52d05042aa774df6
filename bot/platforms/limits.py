"""What each platform refuses, as its adapter declares it, for the review gate.

review/ never imports an adapter (layer rule), so the service hands these over: through
``Services.platform_limits`` to submission, and to ``newmedia check``. A light module: the
adapters' ``limits`` modules load no client, so commands that run the gate stay quick.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from channels.base import Platform, PlatformLimits
from channels.wechat import limits as wechat_limits
from channels.weibo import limits as weibo_limits

PLATFORM_LIMITS: Mapping[str, PlatformLimits] = MappingProxyType(
    {Platform.WECHAT: wechat_limits.LIMITS, Platform.WEIBO: weibo_limits.LIMITS}
)
