"""/metrics: Prometheus figures for an internal scraper, with the business figures in them."""

import datetime as dt

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications.models import EmailNotification
from notifications.tests.factories import PaidPaymentFactory, RefundFactory
from ops.metrics import remember_reconciliation
from payments.models import Payment, Refund, WebhookEvent

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict:
    """{(metric sample name, frozenset(labels)): value} of one scrape from an internal address."""
    response = client.get("/metrics", REMOTE_ADDR="10.0.0.7", **headers)
    assert response.status_code == 200, response.content
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_it_serves_internal_addresses_only_not_clients_behind_the_proxy(client):
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    # nginx connects from 127.0.0.1 for everyone; the client is in X-Forwarded-For.
    behind_proxy = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert behind_proxy.status_code == 403
    assert behind_proxy.json()["error"]


def test_it_serves_anyone_with_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    outside = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
    assert wrong.status_code == 403
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789", **outside)
    assert right.status_code == 200


def test_internal_access_can_be_switched_off(client, settings):
    settings.METRICS_ALLOW_INTERNAL = False
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 403


def test_it_reports_the_business_figures(client):
    PaidPaymentFactory.create_batch(2)
    PaidPaymentFactory(status=Payment.Status.FAILED)
    RefundFactory(status=Refund.Status.PENDING, stripe_refund_id="")
    old = timezone.now() - dt.timedelta(minutes=10)
    WebhookEvent.objects.create(stripe_event_id="evt_ok", type="x", payload={}, processed_at=old)
    failed = WebhookEvent.objects.create(
        stripe_event_id="evt_failed", type="x", payload={}, processed_at=old, error="boom"
    )
    WebhookEvent.objects.filter(pk=failed.pk).update(received_at=old)
    WebhookEvent.objects.create(stripe_event_id="evt_new", type="x", payload={})
    for i, status in enumerate(["queued", "queued", "sent", "failed"]):
        EmailNotification.objects.create(key=f"k{i}", kind="payment_succeeded", status=status)
    remember_reconciliation({"payments_checked": 7, "payments_updated": 2, "errors": ["x"]})

    figures = scrape(client)

    def value(name, **labels):
        return figures[(name, frozenset(labels.items()))]

    # The refund's factory made one more succeeded payment (3 succeeded in all).
    assert value("fitconnect_payments", status="succeeded") == 3
    assert value("fitconnect_payments", status="failed") == 1
    assert value("fitconnect_payments", status="refunded") == 0
    assert value("fitconnect_webhook_events_received") == 3
    assert value("fitconnect_webhook_events_failed") == 1
    assert 590 < value("fitconnect_webhook_oldest_unprocessed_age_seconds") < 3600
    assert value("fitconnect_refunds_pending") == 1
    assert value("fitconnect_emails", status="queued") == 2
    assert value("fitconnect_emails", status="failed") == 1
    assert value("fitconnect_emails", status="sent") == 1
    assert value("fitconnect_reconciliation_last_result", figure="payments_checked") == 7
    assert value("fitconnect_reconciliation_last_result", figure="errors") == 1
    assert value("fitconnect_reconciliation_last_run_timestamp_seconds") > 0


def test_it_counts_requests_by_view(client):
    client.get("/api/v1/trainers/")
    figures = scrape(client)
    assert any(
        name.startswith("django_http_requests_total_by_view") and value >= 1
        for (name, labels), value in figures.items()
    )
