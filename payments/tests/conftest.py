"""Payments test fixtures: a real localstripe emulator, a recorder of the SDK's requests, and
helpers to get a booking into a given payment state.

- `localstripe` (per test): the emulator started once per session (own free port,
  `--from-scratch`), wiped before each test, the settings pointed at it. Its helpers:
  `register_webhook(url)` (signed with the test's STRIPE_WEBHOOK_SECRET; disabled again after
  the test), `confirm(intent_id, "pm_card_visa")`, `intents()`, `refunds(intent_id)`, `sdk`.
- `stripe_requests`: every request our code sends through the SDK, parsed; `answer(fn)` makes
  the recorder reply itself (a Stripe-shaped JSON) instead of going to the network.
- `paid_booking(...)`: a booking paid at the emulator, with the payment row marked succeeded the
  way the payment_intent.succeeded webhook would (the webhook itself is tested by its own tests).
"""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import stripe

from payments import stripe_client, stripe_objects

LOCALSTRIPE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "localstripe"
TEST_SECRET_KEY = "sk_test_fitconnect_tests"
# localstripe has no way to delete a webhook: re-registering it for an event type that never
# happens switches it off.
NO_EVENTS = ["fitconnect.never"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStripe:
    def __init__(self, base: str):
        self.base = base
        self._webhooks: dict[str, str] = {}

    def _http(self, method: str, path: str, body: dict | None = None) -> bytes:
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
        self._http("DELETE", "/_config/data")

    def register_webhook(self, url: str, *, secret: str | None = None, events=None, hook_id="t"):
        """Deliver events to `url` (e.g. live_server.url + "/api/v1/payments/webhook/"), signed
        with `secret` (default: the current STRIPE_WEBHOOK_SECRET); events None means all."""
        from django.conf import settings

        body = {"url": url, "secret": secret or settings.STRIPE_WEBHOOK_SECRET}
        if events is not None:
            body["events"] = list(events)
        self._http("POST", f"/_config/webhooks/{hook_id}", body)
        self._webhooks[hook_id] = url

    def disable_webhooks(self) -> None:
        for hook_id, url in self._webhooks.items():
            body = {"url": url, "secret": "whsec_off", "events": NO_EVENTS}
            self._http("POST", f"/_config/webhooks/{hook_id}", body)
        self._webhooks.clear()

    @property
    def sdk(self) -> stripe.StripeClient:
        """The SDK pointed at the emulator, for what a browser would do (confirming a card)."""
        return stripe.StripeClient(
            TEST_SECRET_KEY, base_addresses={"api": self.base}, max_network_retries=0
        )

    def confirm(self, intent_id: str, payment_method: str = "pm_card_visa"):
        """Confirm like Stripe.js would; returns the intent (a declined card raises CardError).

        The emulator answers `confirm(id, payment_method=...)` with a 500, so attach first.
        """
        self.sdk.v1.payment_intents.update(intent_id, {"payment_method": payment_method})
        return self.sdk.v1.payment_intents.confirm(intent_id)

    def intents(self) -> list:
        return list(self.sdk.v1.payment_intents.list({"limit": 100}).data)

    def refunds(self, intent_id: str) -> list:
        return list(self.sdk.v1.refunds.list({"payment_intent": intent_id, "limit": 100}).data)


@pytest.fixture(scope="session")
def localstripe_server():
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="localstripe-")
    log = open(os.path.join(workdir, "localstripe.log"), "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(LOCALSTRIPE), "--port", str(port), "--from-scratch"],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = LocalStripe(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not start (log in {workdir})")
            time.sleep(0.1)
    yield server
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def localstripe(localstripe_server, settings):
    settings.STRIPE_API_BASE = localstripe_server.base
    settings.STRIPE_SECRET_KEY = TEST_SECRET_KEY
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    localstripe_server.reset()
    yield localstripe_server
    localstripe_server.disable_webhooks()


@dataclass
class Captured:
    method: str
    url: str
    headers: dict
    params: dict  # form fields as Stripe encodes them: {"metadata[booking_id]": "7", ...}

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


@dataclass
class StripeRecorder:
    requests: list[Captured] = field(default_factory=list)
    answerer: object = None

    def answer(self, fn) -> None:
        """fn(captured) -> (status, json-able body) to reply without the network, or None."""
        self.answerer = fn

    def to(self, path_prefix: str) -> list[Captured]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]


class _RecordingHTTPClient(stripe.RequestsClient):
    def __init__(self, recorder: StripeRecorder):
        super().__init__()
        self.recorder = recorder

    def request(self, method, url, headers, post_data=None):
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
        query = urllib.parse.urlsplit(url).query
        params = dict(urllib.parse.parse_qsl(body or query, keep_blank_values=True))
        captured = Captured(method.upper(), url, dict(headers or {}), params)
        self.recorder.requests.append(captured)
        reply = self.recorder.answerer(captured) if self.recorder.answerer else None
        if reply is not None:
            status, payload = reply
            return json.dumps(payload).encode(), status, {"Content-Type": "application/json"}
        return super().request(method, url, headers, post_data)


@pytest.fixture
def stripe_requests(monkeypatch, settings):
    recorder = StripeRecorder()
    http = _RecordingHTTPClient(recorder)

    def client() -> stripe.StripeClient:
        base = settings.STRIPE_API_BASE
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY or TEST_SECRET_KEY,
            stripe_version=stripe_client.STRIPE_API_VERSION,
            base_addresses={"api": base} if base else {},
            max_network_retries=0,
            http_client=http,
        )

    monkeypatch.setattr(stripe_client, "get_client", client)
    return recorder


@pytest.fixture
def start_payment(as_user):
    """start_payment(booking) -> the create-payment-intent response, as the booking's client."""

    def post(booking, user=None):
        api = as_user(user or booking.client)
        return api.post(
            "/api/v1/payments/create-payment-intent/", {"booking_id": booking.pk}, format="json"
        )

    return post


@pytest.fixture
def paid_booking(localstripe, start_payment):
    """paid_booking(**BookingFactory kwargs) -> (booking, payment): paid with pm_card_visa at the
    emulator; the rows then moved as the payment_intent.succeeded webhook moves them."""
    from core.tests.factories import BookingFactory
    from payments.apply.derivation import payment_derive
    from payments.models import Payment

    def make(**kwargs):
        booking = BookingFactory(**kwargs)
        response = start_payment(booking)
        assert response.status_code == 200, response.content
        intent = localstripe.confirm(response.json()["payment_intent_id"])
        assert intent.status == "succeeded"
        payment = Payment.objects.get(pk=response.json()["payment_id"])
        payment.mark_succeeded()
        payment.stripe_charge_id = stripe_objects.charge_id(intent)
        payment.save()
        booking.refresh_from_db()
        booking.confirm()
        booking.save()
        payment_derive(payment)
        booking.refresh_from_db()
        return booking, payment

    return make
