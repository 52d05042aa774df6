"""WeCom (企业微信) app: reviewer chat callback and app messages.

Nothing is re-exported: importing one light module (``limits``) must not load the client."""
