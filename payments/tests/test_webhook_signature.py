"""Only deliveries signed with STRIPE_WEBHOOK_SECRET are stored; anything else is a 400."""

import json
import time

import pytest

from payments.models import WebhookEvent
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


@pytest.fixture
def evt():
    return se.event("customer.created", {"id": "cus_1", "object": "customer"})


def test_it_stores_a_verified_delivery(api, evt):
    response = se.post(api, evt)

    assert response.status_code == 200
    row = WebhookEvent.objects.get()
    assert (row.stripe_event_id, row.type, row.payload) == (evt["id"], evt["type"], evt)
    assert row.api_version == "2026-10-28.endive"
    assert row.livemode is False
    assert row.processed_at is not None
    assert row.error == ""


def test_it_needs_no_login_and_no_csrf_token(evt):
    from django.test import Client

    response = se.post(Client(enforce_csrf_checks=True), evt)

    assert response.status_code == 200


def test_it_refuses_a_missing_signature(api, evt):
    response = se.post(api, evt, signature="")

    assert response.status_code == 400
    assert response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_it_refuses_a_signature_made_with_another_secret(api, evt):
    body = json.dumps(evt).encode()

    response = se.post(api, evt, body=body, signature=se.sign(body, secret="whsec_attacker"))

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_it_refuses_a_stale_signature(api, evt):
    body = json.dumps(evt).encode()
    six_minutes_ago = int(time.time()) - 360  # Stripe's default tolerance is 300 s

    response = se.post(api, evt, body=body, signature=se.sign(body, timestamp=six_minutes_ago))

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_it_refuses_a_tampered_body(api, evt):
    body = json.dumps(evt).encode()
    signature = se.sign(body)
    tampered = body.replace(b"cus_1", b"cus_2")

    response = se.post(api, evt, body=tampered, signature=signature)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body", [b"not json", b"\xff\xfe", b"[]", b"null", b"{}", b'{"id": 1, "type": "x"}']
)
def test_it_refuses_a_signed_body_that_is_not_an_event(api, body):
    response = se.post(api, None, body=body, signature=se.sign(body))

    assert response.status_code == 400
    assert response.json()["error"] == "Invalid webhook payload."
    assert not WebhookEvent.objects.exists()


def test_it_refuses_a_garbage_signature_header(api, evt):
    response = se.post(api, evt, signature="t=abc,v1=%%%")

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
