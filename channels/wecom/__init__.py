"""WeCom (企业微信) app: reviewer chat callback and app messages."""

from channels.wecom.api import SendResult, WeComAPI

__all__ = ["SendResult", "WeComAPI"]
