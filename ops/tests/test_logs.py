"""Production logs: JSON lines carrying the request id, and nothing secret in them."""

import io
import json
import logging
import logging.config

import pytest

from core.tests.factories import ClientFactory
from ops.logs import logging_config, scrub


@pytest.fixture
def json_log():
    """The production LOGGING (JSON lines) for the duration of a test, into a buffer."""
    stream = io.StringIO()
    config = logging_config(json=True, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(config)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.handlers[:], root.level = saved[0], saved[1]


@pytest.mark.django_db
def test_every_request_logs_a_json_line_with_its_request_id(client, json_log):
    user = ClientFactory(password="correct horse battery staple")
    client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "correct horse battery staple"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-from-the-proxy-1",
    )
    finished = [line for line in json_log() if line["event"] == "request_finished"]
    assert len(finished) == 1
    assert finished[0]["request_id"] == "req-from-the-proxy-1"
    assert finished[0]["code"] == 200
    assert finished[0]["request"] == "POST /api/v1/auth/token/"
    assert all(line["request_id"] == "req-from-the-proxy-1" for line in json_log())


def test_it_writes_no_secret_and_no_card_number(json_log):
    log = logging.getLogger("payments")
    log.warning(
        "Stripe said %s for card 4000 0000 0000 0341 with sk_live_51Habc and whsec_abc123",
        "no",
        extra={"client_secret": "pi_3Ab_secret_Cd", "authorization": "Bearer eyJa.eyJb.sig"},
    )
    log.info("intent pi_3Ab_secret_Cd confirmed, token eyJhbGciOi.eyJzdWIiOjF9.c2ln")
    text = json.dumps(json_log())
    for secret in ("0341", "sk_live", "whsec_abc", "pi_3Ab_secret", "eyJ", "Bearer"):
        assert secret not in text, secret
    assert "Stripe said no for card [redacted]" in text


def test_it_keeps_numbers_that_are_not_card_numbers():
    # Ids, amounts, timings and timestamps fail the Luhn check or are not 13-19 digits.
    for text in ["payment 1234567890123 took 0.0034242 s", "amount 7500", "at 1764604800123"]:
        assert scrub(text) == text
    assert scrub({"card_number": "x", "nested": ["4242424242424242"]}) == {
        "card_number": "[redacted]",
        "nested": ["[redacted]"],
    }


@pytest.mark.django_db
def test_a_request_that_met_an_outage_is_logged_with_the_503_it_answered(
    json_log, redis_cache_down
):
    from django.test import Client

    # Registration counts its rate limit in the cache, which is down.
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/register/",
        {"email": "someone@example.com", "password": "Str0ng-pass-phrase", "first_name": "Ana",
         "last_name": "Lee", "role": "client"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 503
    failed = [line for line in json_log() if line["event"] == "request_failed"]
    assert [line["code"] for line in failed] == [503]
