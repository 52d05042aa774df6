"""The running service: wiring, HTTP routes, chat commands, schedule and CLI."""
