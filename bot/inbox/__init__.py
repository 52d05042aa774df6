"""Citizens' messages on the Official Account: the callback's fast path (verify, store, answer within
WeChat's 5 s), the grouped-commit writer, the slow path that routes and notifies, and the service
repliers use from chat, console and CLI.
"""
