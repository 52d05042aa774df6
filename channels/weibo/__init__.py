"""Sina Weibo: API client, fan-service push and channel.

Nothing is re-exported: importing one light module (``limits``) must not load the client."""
