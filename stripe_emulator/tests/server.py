"""The Stripe emulator for tests: one `manage.py stripe_emulator` per test session, on a free
port, and a small client of its own configuration endpoints. payments/tests/conftest.py makes
fixtures of it (`localstripe_server`, `localstripe`) that every app's tests share."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import stripe
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET_KEY = "sk_test_fitconnect_tests"
# An event type that never happens: registering a webhook for it alone switches it off
# (localstripe cannot delete a registration).
NO_EVENTS = ["fitconnect.never"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StripeEmulator:
    def __init__(self, base: str):
        self.base = base
        self._webhooks: dict[str, tuple[str, bool]] = {}

    def http(self, method: str, path: str, body: dict | None = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": "Bearer sk_test_x"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def reset(self) -> None:
        """Wipe every object (webhook registrations stay)."""
        self.http("DELETE", "/_config/data")

    def register_webhook(
        self, url: str, *, secret: str | None = None, events=None, hook_id="t", connect=False
    ):
        """Deliver events to `url` (e.g. live_server.url + "/api/v1/payments/webhook/"), signed
        with `secret` (default: the current STRIPE_WEBHOOK_SECRET); events None means all.
        connect=True: the connected accounts' events (account.updated, payout.*) instead of the
        platform's."""
        body = {"url": url, "secret": secret or settings.STRIPE_WEBHOOK_SECRET}
        if events is not None:
            body["events"] = list(events)
        if connect:
            body["connect"] = True
        self.http("POST", f"/_config/webhooks/{hook_id}", body)
        self._webhooks[hook_id] = (url, connect)

    def settle(self) -> None:
        """Switch the registered endpoints off, then wait until every delivery in flight has
        been answered: an event made now reaches no endpoint registered later (none can be in
        flight without a registered endpoint)."""
        if self._webhooks:
            self.disable_webhooks()
            self.http("POST", "/_config/settle", {})

    def disable_webhooks(self) -> None:
        for hook_id, (url, connect) in self._webhooks.items():
            body = {"url": url, "secret": "whsec_off", "events": NO_EVENTS, "connect": connect}
            self.http("POST", f"/_config/webhooks/{hook_id}", body)
        self._webhooks.clear()

    @property
    def sdk(self) -> stripe.StripeClient:
        """The SDK pointed at the emulator, for what a browser would do (confirming a card)."""
        return stripe.StripeClient(
            TEST_SECRET_KEY, base_addresses={"api": self.base}, max_network_retries=0
        )

    def confirm(self, intent_id: str, payment_method: str = "pm_card_visa"):
        """Confirm like Stripe.js would; returns the intent (a declined card raises CardError).

        localstripe answers `confirm(id, payment_method=...)` with a 500, so attach first.
        """
        self.sdk.v1.payment_intents.update(intent_id, {"payment_method": payment_method})
        return self.sdk.v1.payment_intents.confirm(intent_id)

    def intents(self) -> list:
        return list(self.sdk.v1.payment_intents.list({"limit": 100}).data)

    def refunds(self, intent_id: str) -> list:
        return list(self.sdk.v1.refunds.list({"payment_intent": intent_id, "limit": 100}).data)


def start(timeout: float = 60) -> tuple[StripeEmulator, subprocess.Popen, str]:
    """`manage.py stripe_emulator` on a free port, answering; (client, process, its log)."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="stripe-emulator-")
    log_path = os.path.join(workdir, "stripe-emulator.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "stripe_emulator", "--port", str(port)],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        )
    server = StripeEmulator(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.http("GET", "/js.stripe.com/v3/")
            return server, process, log_path
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError(f"the Stripe emulator did not start (log: {log_path})") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
