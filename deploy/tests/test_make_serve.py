"""`make serve` (scripts/serve.py) starts the Procfile's profile, serves pages, the admin and the
docs with DEBUG off, and stops everything on Ctrl-C."""

import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest

from deploy.client import call
from deploy.stack import ROOT, free_port

pytestmark = pytest.mark.deploy


def test_make_serve_runs_the_profile_and_stops_on_ctrl_c(stack, tmp_path):
    port, emulator_port = free_port(), free_port()
    database = urlsplit(stack.postgres.url)._replace(path="/serve_test").geturl()
    env = {
        "PATH": stack.env["PATH"],
        "HOME": stack.env["HOME"],
        "PORT": str(port),
        "STRIPE_EMULATOR_PORT": str(emulator_port),
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": f"{stack.redis.url}/5",
        "CACHE_URL": f"{stack.redis.url}/6",
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "WEB_CONCURRENCY": "2",
    }
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "scripts/serve.py"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    output = tmp_path / "serve.log"
    try:
        deadline = time.monotonic() + 240
        while "is ready" not in output.read_text():
            assert serve.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.5)
        text = output.read_text()
        assert f"http://127.0.0.1:{port}/admin/" in text
        assert f"http://127.0.0.1:{emulator_port}" in text
        base = f"http://127.0.0.1:{port}"
        for path in ("/", "/trainers/", "/admin/login/", "/api/docs/", "/api/schema/", "/readyz"):
            assert call("GET", base + path).status == 200, path
        # DEBUG is off: an unknown page is the production 404, not Django's debug page.
        missing = call("GET", base + "/no-such-page/")
        assert missing.status == 404 and "Page not found at" not in str(missing.body)
    finally:
        serve.send_signal(signal.SIGINT)
        code = serve.wait(timeout=60)
        log.close()
    assert code == 0, output.read_text()
    assert "Stopped." in output.read_text()
    # Nothing is left listening: gunicorn and the emulator stopped with it.
    assert not listening(port) and not listening(emulator_port)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
