"""WeChat Official Account: API client, callback protocol and channel."""
