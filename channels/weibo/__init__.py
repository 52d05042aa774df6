"""Sina Weibo: API client, fan-service push and channel."""

from channels.weibo.api import WeiboAPI
from channels.weibo.channel import WeiboChannel

__all__ = ["WeiboAPI", "WeiboChannel"]
