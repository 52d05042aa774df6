"""Who is on the other end of a request: its address and whether it came over TLS.

Forwarded headers are believed only from the peers in ``[service] trusted_proxies``: anyone
else could write ``X-Forwarded-For: 10.0.0.1`` to escape the sign-in limit or
``X-Forwarded-Proto: https`` to look secure."""

from __future__ import annotations

import ipaddress
from functools import cache

from aiohttp import web

from bot import keys

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def within(address: str, entries: tuple[str, ...]) -> bool:
    """Whether ``address`` is one of ``entries`` (addresses or CIDR networks, as in settings;
    each list is parsed once). Not an IP address (e.g. ``unknown``): never."""
    return _trusted(address, _networks(entries))


def _proxies(request: web.Request) -> tuple[Network, ...]:
    return _networks(request.app[keys.SETTINGS].file.service.trusted_proxies)


def from_trusted_proxy(request: web.Request) -> bool:
    networks = _proxies(request)
    return bool(networks) and _trusted(request.remote or "", networks)


def address(request: web.Request) -> str:
    """The client's address: the peer, or behind trusted proxies the nearest untrusted hop of
    ``X-Forwarded-For`` (read from the right: the left end is whatever the client wrote)."""
    peer = request.remote or "unknown"
    if not from_trusted_proxy(request):
        return peer
    networks = _proxies(request)
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def is_secure(request: web.Request) -> bool:
    """TLS to this process, or to a trusted proxy that says so in ``X-Forwarded-Proto``."""
    if request.secure:
        return True
    if not from_trusted_proxy(request):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
    return proto == "https"
