"""Payments test fixtures: the Stripe emulator, a recorder of the SDK's requests, and helpers to
get a booking into a given payment state.

- `localstripe` (per test): the Stripe emulator (`manage.py stripe_emulator`: localstripe plus
  Connect) started once per session on a free port, wiped before each test, the settings
  pointed at it. Its helpers (stripe_emulator/tests/server.py): `register_webhook(url,
  connect=False)` (signed with the test's STRIPE_WEBHOOK_SECRET; disabled again after the test),
  `confirm(intent_id, "pm_card_visa")`, `intents()`, `refunds(intent_id)`, `sdk`.
- `stripe_requests`: every request our code sends through the SDK, parsed; `answer(fn)` makes
  the recorder reply itself (a Stripe-shaped JSON) instead of going to the network.
- `paid_booking(...)`: a booking paid at the emulator, with the payment row marked succeeded the
  way the payment_intent.succeeded webhook would (the webhook itself is tested by its own tests).
- `fake`: Stripe Connect answered in process (connect_helpers.FakeConnect); `run(fn, *args)`:
  call fn, then what it queued after commit (a transfer's send).
"""

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pytest
import stripe

from payments import stripe_client, stripe_objects
from payments.tests import stripe_contract
from payments.tests.connect_helpers import FakeConnect
from stripe_emulator.tests import server as emulator


@pytest.fixture(scope="session")
def localstripe_server():
    try:
        server, process, _log = emulator.start()
    except RuntimeError as e:
        pytest.fail(str(e))
    yield server
    emulator.stop(process)


@pytest.fixture
def localstripe(localstripe_server, settings):
    settings.STRIPE_API_BASE = localstripe_server.base
    settings.STRIPE_SECRET_KEY = emulator.TEST_SECRET_KEY
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    localstripe_server.reset()
    yield localstripe_server
    # A delivery still in flight would reach a live server while the test's database is being
    # emptied, or the next test's endpoint, with ids that mean other rows there.
    localstripe_server.settle()


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
        stripe_contract.enforce(method, url, post_data)
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
            settings.STRIPE_SECRET_KEY or emulator.TEST_SECRET_KEY,
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


@pytest.fixture
def fake(stripe_requests):
    """Stripe Connect answered in process (payments.tests.connect_helpers.FakeConnect): accounts,
    transfers and reversals, with what was asked of it kept for the test to read."""
    fake = FakeConnect()
    stripe_requests.answer(fake)
    return fake


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(fn, *args): call it and then what it queued after commit (the sends), as a real
    commit would."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
