"""The shipped nginx site (deploy/nginx/newmedia.conf) passes ``nginx -t`` with Debian's nginx,
and says what docs/deploy.md promises: HTTPS only, two replicas, the callbacks' limits."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.app import API_MAX_BODY
from bot.config.schema import MediaSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "deploy" / "nginx" / "newmedia.conf"
#: the folders the site names that a test run cannot use: rewritten into the temporary prefix
TLS_DIR = "/etc/nginx/tls/newmedia/"
LOG_DIR = "/var/log/nginx/"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _self_signed(folder: Path) -> None:
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=newmedia.example.gov.cn",
         "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _prefix(tmp_path: Path) -> Path:
    """A minimal main nginx.conf in a temporary prefix that includes the shipped site with
    its certificate and log folders pointed into the prefix (nothing else changed)."""
    prefix = tmp_path / "nginx"
    (prefix / "logs" / "newmedia").mkdir(parents=True)
    _self_signed(prefix / "tls")
    site = SITE.read_text(encoding="utf-8")
    assert TLS_DIR in site and LOG_DIR in site
    site = site.replace(TLS_DIR, f"{prefix / 'tls'}/").replace(LOG_DIR, f"{prefix / 'logs'}/")
    (prefix / "newmedia.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(
        f"    {name}_temp_path {prefix / 'logs' / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"pid {prefix / 'logs' / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        f"    access_log {prefix / 'logs' / 'access.log'};\n"
        f"{temp}\n"
        f"    include {prefix / 'newmedia.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    return prefix


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_shipped_site_passes_nginx_t(tmp_path: Path) -> None:
    assert NGINX is not None
    prefix = _prefix(tmp_path)
    done = subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr
    assert "[warn]" not in done.stderr, done.stderr


def test_the_site_says_what_the_guide_promises() -> None:
    site = SITE.read_text(encoding="utf-8")
    assert "return 301 https://$host$request_uri;" in site
    assert re.findall(r"server (127\.0\.0\.1:\d+)", site) == ["127.0.0.1:8081", "127.0.0.1:8082"]
    callbacks = site.split("location ~ ^/(wechat|wecom)/ {", 1)[1].split("}", 1)[0]
    assert f"client_max_body_size {ServiceSettings().max_body_bytes // 1024}k;" in callbacks
    assert "proxy_read_timeout 4s;" in callbacks  # inside WeChat's 5 s
    rest = site.split("location / {", 1)[1].split("}", 1)[0]
    largest = MediaSettings().max_bytes + API_MAX_BODY  # an image and a form's text fields
    found = re.search(r"client_max_body_size (\d+)m;", rest)
    assert found and largest <= int(found.group(1)) * 2**20 <= largest + 2**21
    metrics = site.split("location = /metrics {", 1)[1].split("}", 1)[0]
    assert "allow 127.0.0.1;" in metrics and "deny all;" in metrics
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    assert "X-Forwarded-Proto $scheme" in site


def test_nginx_passes_its_request_id_and_logs_it() -> None:
    """bot/web/request_ids.py keeps a well-formed X-Request-Id: nginx's own, so its access log
    line and the service's JSON lines share one id."""
    site = SITE.read_text(encoding="utf-8")
    server = site.split("listen 443 ssl;", 1)[1]
    head, *locations = server.split("    location ")
    assert "proxy_set_header X-Request-Id $request_id;" in head
    # a location with any proxy_set_header of its own would inherit none of the server's
    assert not any("proxy_set_header" in loc for loc in locations)
    log_format = site.split("log_format newmedia", 1)[1].split(";", 1)[0]
    assert "$request_id" in log_format
