"""With SENTRY_DSN set, an unhandled error reaches the Sentry server, without personal data."""

import http.server
import json
import subprocess
import sys
import threading
import zlib

from django.conf import settings

from core.tests.test_config_production_checks import PRODUCTION

# In a production process: a view that fails with a bug, then wait for the report to be sent.
FAIL_ONE_REQUEST = """
import django
django.setup()
from unittest import mock
import sentry_sdk
from django.test import Client
from trainers.api import TrainerListApi
with mock.patch.object(TrainerListApi, "get", side_effect=RuntimeError("a bug in the list")):
    response = Client(raise_request_exception=False).get(
        "/api/v1/trainers/?q=yoga", secure=True, HTTP_COOKIE="sessionid=secret-cookie-value"
    )
print(response.status_code)
sentry_sdk.flush(timeout=10)
"""


class Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        elif encoding == "br":  # the SDK compresses with brotli when it is installed
            import brotli

            body = brotli.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_unhandled_error_is_reported_to_sentry(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Collector.received.clear()
    env = {
        **PRODUCTION,
        "PATH": "/usr/bin:/bin",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        assert run("manage.py", "migrate", "-v0").returncode == 0
        result = run("-c", FAIL_ONE_REQUEST)
    finally:
        server.shutdown()
    assert result.stdout.strip().splitlines()[-1] == "500", result.stderr
    reports = b"\n".join(Collector.received).decode(errors="replace")
    assert "a bug in the list" in reports
    assert "RuntimeError" in reports
    assert "secret-cookie-value" not in reports
    events = [json.loads(line) for line in reports.splitlines() if '"exception"' in line]
    assert events and events[0]["environment"] == "production"
