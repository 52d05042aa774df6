"""WeChat Official Account: API client, callback protocol and channel."""

from channels.wechat.api import WeChatAPI
from channels.wechat.channel import WeChatChannel, local_image_loader

__all__ = ["WeChatAPI", "WeChatChannel", "local_image_loader"]
