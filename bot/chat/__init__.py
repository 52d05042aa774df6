"""Reviewers' and repliers' WeCom chat: the signed callback, the router with its one permission
guard, the command groups (each docstring is its help), the backend over the shared services, and
the notifier that delivers stored staff notifications.
"""
