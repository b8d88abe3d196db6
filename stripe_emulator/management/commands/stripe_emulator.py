"""`manage.py stripe_emulator --port N`: localstripe on a private port, our front on N.

localstripe is GPL-licensed and stays a separate program: we start its console script and
speak HTTP to it. It dies with this process (PR_SET_PDEATHSIG) and on every normal exit.
"""

import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiohttp import web
from django.core.management.base import BaseCommand, CommandError

from stripe_emulator.server import build_app

LOCALSTRIPE = Path(sys.executable).parent / "localstripe"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"localstripe exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise CommandError(f"localstripe did not listen on port {port} within {timeout:.0f} s")


class Command(BaseCommand):
    help = "Run the Stripe emulator (localstripe plus Connect) on --port."
    # It uses no model and no database: the project's checks (production secrets, ...) are not
    # its business, and skipping them keeps its start fast.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8420)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--localstripe-port", type=int, default=0, help="default: a free port")

    def handle(self, *args, port, host, localstripe_port, **options):
        logging.basicConfig(level=logging.INFO, format="stripe-emulator %(message)s")
        internal = localstripe_port or _free_port()
        process = subprocess.Popen(  # noqa: S603 (our own venv's console script)
            [str(LOCALSTRIPE), "--port", str(internal), "--from-scratch"],
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        try:
            _wait_for(internal, process)
            self.stdout.write(
                f"Stripe emulator on http://{host}:{port} (localstripe on {internal})"
            )
            self.stdout.flush()
            web.run_app(
                build_app(f"http://127.0.0.1:{internal}"),
                host=host,
                port=port,
                print=None,
                access_log=None,
                handle_signals=True,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
