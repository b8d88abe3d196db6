"""Stored Stripe events are browsable by admins, with their errors, and read-only."""

import pytest
from django.test import Client
from django.utils import timezone

from payments.models import WebhookEvent
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db
URL = "/admin/payments/webhookevent/"


@pytest.fixture
def events():
    ok = WebhookEvent.objects.create(
        stripe_event_id="evt_ok",
        type="payment_intent.succeeded",
        payload=se.event("payment_intent.succeeded", {"id": "pi_1"}, event_id="evt_ok"),
        processed_at=timezone.now(),
        attempts=1,
    )
    broken = WebhookEvent.objects.create(
        stripe_event_id="evt_broken",
        type="charge.refunded",
        payload=se.event("charge.refunded", {"id": "ch_1"}, event_id="evt_broken"),
        attempts=3,
        error="StripeUnavailable: could not reach Stripe to list refunds",
    )
    return ok, broken


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def listed(response):
    return {e.stripe_event_id for e in response.context["cl"].result_list}


def test_it_lists_events_for_admins(admin_client, events):
    response = admin_client.get(URL)

    assert response.status_code == 200
    assert listed(response) == {"evt_ok", "evt_broken"}


def test_it_filters_by_type_processed_and_error(admin_client, events):
    assert listed(admin_client.get(URL, {"type": "charge.refunded"})) == {"evt_broken"}
    assert listed(admin_client.get(URL, {"processed": "no"})) == {"evt_broken"}
    assert listed(admin_client.get(URL, {"processed": "yes"})) == {"evt_ok"}
    assert listed(admin_client.get(URL, {"has_error": "yes"})) == {"evt_broken"}
    assert listed(admin_client.get(URL, {"has_error": "no"})) == {"evt_ok"}


def test_it_searches_by_event_id(admin_client, events):
    assert listed(admin_client.get(URL, {"q": "evt_broken"})) == {"evt_broken"}


def test_it_shows_the_error_and_payload_read_only(admin_client, events):
    _, broken = events

    response = admin_client.get(f"{URL}{broken.pk}/change/")

    assert response.status_code == 200
    assert b"could not reach Stripe to list refunds" in response.content
    assert b"ch_1" in response.content
    assert b'name="error"' not in response.content  # no editable field


def test_nobody_edits_or_deletes_events(admin_client, events):
    _, broken = events

    edit = admin_client.post(f"{URL}{broken.pk}/change/", {"error": ""})
    delete = admin_client.post(f"{URL}{broken.pk}/delete/", {"post": "yes"})

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert WebhookEvent.objects.get(pk=broken.pk).error


def test_it_is_not_for_clients(events, client_user):
    client = Client()
    client.force_login(client_user)

    response = client.get(URL)

    assert response.status_code == 302  # to the admin login
