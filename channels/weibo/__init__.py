"""Sina Weibo: API client, fan-service push and channel."""
