"""Every response carries the security headers (console, API, errors, sandbox pages), names no
server version, and the console cookie is ``Secure`` over TLS — behind a proxy only when the
proxy is trusted (``[service] trusted_proxies``)."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from console_support import issue, login_token, origin

from bot.app import create_app
from bot.config.load import Settings
from review.db import SessionFactory

ROOT = Path(__file__).resolve().parents[2]


def check_headers(headers: object, path: str) -> None:
    h = dict(headers)  # type: ignore[call-overload]
    csp = h.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (path, csp)
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp, path
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
    assert h.get("X-Frame-Options") == "DENY", path
    assert h.get("X-Content-Type-Options") == "nosniff", path
    assert h.get("Referrer-Policy") == "same-origin", path
    assert h.get("Server") == "newmedia", (path, h.get("Server"))


async def test_headers_on_every_kind_of_response(
    app_client: TestClient, sf: SessionFactory
) -> None:
    for path, status in (
        ("/console/login", 200),
        ("/console/", 303),  # a redirect
        ("/api/drafts", 401),  # JSON API, refused
        ("/no/such/page", 404),
        ("/healthz", 200),
        ("/sandbox/timeline", 200),  # a sub-application
    ):
        r = await app_client.get(path, allow_redirects=False)
        assert r.status == status, path
        check_headers(r.headers, path)
    r = await app_client.post("/console/login", data={}, allow_redirects=False)
    assert r.status == 403  # an exception raised by the handler
    check_headers(r.headers, "POST /console/login")


async def test_the_sandbox_timeline_works_under_its_policy(app_client: TestClient) -> None:
    r = await app_client.get("/sandbox/timeline")
    page = await r.text()
    csp = r.headers["Content-Security-Policy"]
    # its covers come from the sandbox's public URL, possibly another host than the browser's
    assert "img-src 'self' data: http: https:" in csp
    assert "<style>" in page and "style-src 'self' 'unsafe-inline'" in csp
    assert "<script" not in page
    r = await app_client.get("/console/login")
    assert "img-src 'self' data:;" in r.headers["Content-Security-Policy"] + ";"


def test_no_page_relies_on_inline_script() -> None:
    """The policy allows no inline script: no template may carry one or an on* handler."""
    for page in (ROOT / "templates" / "web").glob("*.html"):
        text = page.read_text(encoding="utf-8").lower()
        assert "<script" not in text and " onclick=" not in text and " onload=" not in text, page


def set_cookie(headers: object, name: str) -> str:
    found = [v for v in headers.getall("Set-Cookie", []) if v.startswith(f"{name}=")]  # type: ignore[attr-defined]
    assert found, name
    return str(found[0])


async def sign_in_response(client: TestClient, sf: SessionFactory, **headers: str) -> object:
    token = await issue(sf, "zhao_min")
    form = {"token": token, "csrf": await login_token(client)}
    r = await client.post(
        "/console/login", data=form, headers={**origin(client), **headers}, allow_redirects=False
    )
    assert r.status == 303
    return r.headers


async def test_cookie_not_secure_on_plain_http_whatever_a_client_claims(
    app_client: TestClient, sf: SessionFactory
) -> None:
    headers = await sign_in_response(app_client, sf, **{"X-Forwarded-Proto": "https"})
    cookie = set_cookie(headers, "nmb_console")
    assert "Secure" not in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_cookie_secure_behind_a_trusted_proxy(settings: Settings, sf: SessionFactory) -> None:
    service = settings.file.service.model_copy(update={"trusted_proxies": ("127.0.0.0/8",)})
    trusted = replace(settings, file=settings.file.model_copy(update={"service": service}))
    async with TestClient(TestServer(create_app(trusted, run_jobs=False))) as client:
        headers = await sign_in_response(client, sf, **{"X-Forwarded-Proto": "https"})
        assert "Secure" in set_cookie(headers, "nmb_console")
        client.session.cookie_jar.clear()
        headers = await sign_in_response(client, sf, **{"X-Forwarded-Proto": "http"})
        assert "Secure" not in set_cookie(headers, "nmb_console")


def _self_signed(folder: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture
async def tls_client(
    settings: Settings, sf: SessionFactory, tmp_path: Path
) -> AsyncIterator[TestClient]:
    server = TestServer(create_app(settings, run_jobs=False))
    await server.start_server(ssl=_self_signed(tmp_path))
    connector = aiohttp.TCPConnector(ssl=False)  # the self-signed certificate
    async with TestClient(server, connector=connector) as client:
        yield client


async def test_cookies_secure_over_tls(tls_client: TestClient, sf: SessionFactory) -> None:
    r = await tls_client.get("/console/login")
    assert r.url.scheme == "https" and "Secure" in set_cookie(r.headers, "nmb_login")
    headers = await sign_in_response(tls_client, sf)
    assert "Secure" in set_cookie(headers, "nmb_console")
