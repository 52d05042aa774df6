"""The shipped nginx site (deploy/nginx/newmedia.conf) run by Debian's nginx as a subprocess, in
front of local replicas, for the soak test.

The site is used as shipped except for what a test run cannot have: its listen addresses (a free
loopback port for HTTPS, another for the port-80 redirect), the replicas' ports in the upstream,
a self-signed certificate in place of the real one, and its log folder, all under a temp prefix;
a minimal main config (``daemon off``, pid, temp paths) includes it. Each rewrite must apply, so a
reshaped site file fails here with what is missing rather than running something else. The
master is our child in its own process group, so a failed test still takes the workers with it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "newmedia.conf"
NGINX = "/usr/sbin/nginx"
TLS_DIR = "/etc/nginx/tls/newmedia/"
LOG_DIR = "/var/log/nginx/"


def missing() -> str | None:
    """Why the site cannot run here (None: it can)."""
    if not os.access(NGINX, os.X_OK):
        return "nginx not installed (/usr/sbin/nginx; apt-get install nginx)"
    if shutil.which("openssl") is None:
        return "openssl not installed (the test's self-signed certificate)"
    return None


def _sub(pattern: str, repl: str, text: str, count: int | None) -> str:
    """``pattern`` replaced, found exactly ``count`` times (None: any number)."""
    out, n = re.subn(pattern, repl, text, flags=re.M)
    assert count in (None, n), f"{SITE.name}: expected {count} × {pattern!r}, found {n}"
    return out


def site_for(prefix: Path, port: int, redirect_port: int, upstreams: Sequence[int]) -> str:
    site = SITE.read_text(encoding="utf-8")
    assert TLS_DIR in site and LOG_DIR in site, f"{SITE.name}: certificate or log folder moved"
    site = site.replace(TLS_DIR, f"{prefix / 'tls'}/").replace(LOG_DIR, f"{prefix / 'logs'}/")
    site = _sub(r"^\s*listen \[::\]:\d+.*\n", "", site, None)  # loopback IPv4 only
    site = _sub(r"^(\s*)listen 443 ssl([^;]*);", rf"\1listen 127.0.0.1:{port} ssl\2;", site, 1)
    site = _sub(r"^(\s*)listen 80([^;]*);", rf"\1listen 127.0.0.1:{redirect_port}\2;", site, 1)
    servers = iter(upstreams)
    site, n = re.subn(r"server 127\.0\.0\.1:\d+", lambda _m: f"server 127.0.0.1:{next(servers)}",
                      site)  # fmt: skip
    assert n == len(upstreams), f"{SITE.name}: {n} upstream servers, {len(upstreams)} replicas"
    return site


def _main_conf(prefix: Path) -> str:
    temp = "".join(
        f"    {name}_temp_path {prefix / 'logs' / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\npid {prefix / 'logs' / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp}    include {prefix / 'newmedia.conf'};\n}}\n"
    )


def _answers(url: str) -> bool:
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE  # self-signed
    try:
        with urllib.request.urlopen(url, timeout=2, context=unverified):
            return True
    except urllib.error.HTTPError:
        return True  # nginx answered (a 502 while no replica is up is still nginx listening)
    except OSError:
        return False


@contextlib.contextmanager
def nginx_front(
    port: int, redirect_port: int, upstreams: Sequence[int], limit: float = 30.0
) -> Iterator[str]:
    """The shipped site on ``https://127.0.0.1:port`` before ``upstreams``; yields its URL."""
    prefix = Path(tempfile.mkdtemp(prefix="newmedia-nginx-"))
    prefix.chmod(0o755)  # nginx's workers (nobody, when we are root) use the temp paths
    (prefix / "logs" / "newmedia").mkdir(parents=True)
    (prefix / "tls").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=newmedia.example.gov.cn", "-keyout", str(prefix / "tls" / "privkey.pem"),
         "-out", str(prefix / "tls" / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = site_for(prefix, port, redirect_port, upstreams)
    (prefix / "newmedia.conf").write_text(site, encoding="utf-8")
    (prefix / "nginx.conf").write_text(_main_conf(prefix), encoding="utf-8")
    out = prefix / "logs" / "stderr.log"
    with out.open("wb") as log:
        proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + limit
        while not _answers(url + "/healthz"):
            said = out.read_text(errors="replace")
            assert proc.poll() is None, f"nginx exited {proc.returncode}: {said}"
            assert time.monotonic() < deadline, f"nginx did not listen on {port}: {said}"
            time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGQUIT)  # graceful: the master stops its workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(prefix, ignore_errors=True)
