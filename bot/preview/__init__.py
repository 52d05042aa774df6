"""Reviewers see what they approve: each revision as each platform will show it.

Shared by the chat (查看, the WeCom card) and the web (the signed preview page, the console), so
it lives beside both rather than inside either; the renderers are the adapters' own.
"""
