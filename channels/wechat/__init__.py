"""WeChat Official Account: API client, callback protocol and channel.

Nothing is re-exported: importing one light module (``limits``) must not load the client."""
