"""WeCom (企业微信) app: reviewer chat callback and app messages.

Nothing is re-exported, like the other adapters: a module is imported for what it holds."""
