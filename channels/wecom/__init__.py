"""WeCom (企业微信) app: reviewer chat callback and app messages."""
