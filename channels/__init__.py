"""Talking to platforms (WeChat OA, Weibo, WeCom) and their sandbox; knows nothing of review/ or bot/."""
