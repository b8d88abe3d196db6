"""The emulator's own tests: the shared emulator fixtures, the SDK pointed at it, and a
receiver that collects the events it delivers."""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from payments.tests.conftest import localstripe, localstripe_server  # noqa: F401
from stripe_emulator.tests.server import TEST_SECRET_KEY

API_VERSION = "2026-10-28.endive"
SECRET = "whsec_emulator_tests"
CONNECT_SECRET = "whsec_emulator_connect_tests"


@pytest.fixture
def sdk(localstripe):  # noqa: F811
    return stripe.StripeClient(
        TEST_SECRET_KEY,
        stripe_version=API_VERSION,
        base_addresses={"api": localstripe.base},
        max_network_retries=0,
    )


class Receiver:
    def __init__(self):
        self.deliveries: list[tuple[dict, dict]] = []  # (headers, event)
        received = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(
                    ({**self.headers, "_path": self.path, "_raw": body}, json.loads(body))
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, path: str, event_type: str | None = None, count: int = 1, wait=10.0):
        """The events delivered to `path` (of `event_type`), waiting until `count` arrived."""
        deadline = time.monotonic() + wait
        while True:
            found = [
                (h, e)
                for h, e in self.deliveries
                if h["_path"] == path and event_type in (None, e["type"])
            ]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture
def receiver(localstripe):  # noqa: F811
    """Endpoints at the emulator: /platform (the platform's events) and /connect (connected
    accounts' events), each with its own secret."""
    receiver = Receiver()
    localstripe.register_webhook(f"{receiver.url}/platform", secret=SECRET, hook_id="platform")
    localstripe.register_webhook(
        f"{receiver.url}/connect", secret=CONNECT_SECRET, hook_id="connect", connect=True
    )
    yield receiver
    receiver.server.shutdown()


def signed_by(headers: dict, secret: str) -> bool:
    """The SDK's own check of the delivery's Stripe-Signature with `secret` passes."""
    try:
        stripe.Webhook.construct_event(headers["_raw"], headers["Stripe-Signature"], secret)
    except stripe.SignatureVerificationError:
        return False
    return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browse(url: str, form: dict | None = None) -> tuple[int, str, str]:
    """(status, Location, body) of a GET (or a form POST) without following redirects."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=10) as answer:
            return answer.status, answer.headers.get("Location", ""), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", ""), e.read().decode()


def express_account(sdk, **extra) -> stripe.Account:
    """An Express account asked for the way the pinned API version describes one."""
    params = {
        "controller": {
            "fees": {"payer": "application"},
            "losses": {"payments": "application"},
            "stripe_dashboard": {"type": "express"},
        },
        "capabilities": {"transfers": {"requested": True}},
        "country": "US",
        "email": "trainer@example.com",
        **extra,
    }
    return sdk.v1.accounts.create(params)


def onboard(sdk, account_id: str, outcome: str = "complete") -> str:
    """Through the account link's page, as the trainer would; returns where it sent them."""
    link = sdk.v1.account_links.create(
        {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": "http://app.test/refresh",
            "return_url": "http://app.test/return",
        }
    )
    status, _, page = browse(link.url)
    assert status == 200 and "Complete onboarding" in page
    status, location, _ = browse(link.url, {"outcome": outcome})
    assert status == 303
    return location
