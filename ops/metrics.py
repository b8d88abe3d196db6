"""GET /metrics: Prometheus text format, for a scraper on the inside only.

Two parts: django-prometheus's request and response figures (per process, or of every gunicorn
worker together when PROMETHEUS_MULTIPROC_DIR is set, as config/gunicorn.conf.py does), and the
business figures below, read from the database at each scrape, so every instance reports the
same, whole numbers.

Access: a request with `Authorization: Bearer <METRICS_TOKEN>`, or (METRICS_ALLOW_INTERNAL) one
made straight from a private or loopback address. A request that came through a proxy carries
X-Forwarded-For and does not count as internal: behind nginx every client's address is the
proxy's own.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from notifications.models import EmailNotification
from payments.models import Payment, Refund, WebhookEvent

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
# Loopback and the private ranges of RFC 1918 and RFC 4193: where a scraper inside runs.
INTERNAL_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
]
LAST_RECONCILIATION_KEY = "ops:reconciliation:last"


def _is_internal(request) -> bool:
    if not settings.METRICS_ALLOW_INTERNAL or any(h in request.META for h in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in INTERNAL_NETWORKS)


def _has_token(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def remember_reconciliation(result: dict) -> None:
    """Keep the last reconciliation's figures (lists as their length) for the next scrape."""
    figures = {
        name: len(value) if isinstance(value, list) else value
        for name, value in result.items()
        if isinstance(value, list) or (isinstance(value, int) and not isinstance(value, bool))
    }
    cache.set(LAST_RECONCILIATION_KEY, {"at": timezone.now().timestamp(), **figures}, timeout=None)


class BusinessCollector:
    """The figures an operator watches: money stuck, events not applied, e-mails not sent."""

    def collect(self):
        payments = GaugeMetricFamily(
            "fitconnect_payments", "Payments by status.", labels=["status"]
        )
        counts = dict(Payment.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in Payment.Status.values:
            payments.add_metric([status], counts.get(status, 0))
        yield payments

        unapplied = Q(processed_at__isnull=True) | ~Q(error="")
        events = WebhookEvent.objects.aggregate(
            received=Count("id"),
            failed=Count("id", filter=~Q(error="")),
            oldest=Min("received_at", filter=unapplied),
        )
        yield GaugeMetricFamily(
            "fitconnect_webhook_events_received", "Stripe events stored.", events["received"]
        )
        yield GaugeMetricFamily(
            "fitconnect_webhook_events_failed",
            "Stored Stripe events whose handler failed (retried by Stripe or reconciliation).",
            events["failed"],
        )
        oldest = events["oldest"]
        yield GaugeMetricFamily(
            "fitconnect_webhook_oldest_unprocessed_age_seconds",
            "Age of the oldest stored event not applied yet (0: none).",
            (timezone.now() - oldest).total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "fitconnect_refunds_pending",
            "Refunds asked of Stripe and not settled yet.",
            Refund.objects.filter(status=Refund.Status.PENDING).count(),
        )

        emails = GaugeMetricFamily(
            "fitconnect_emails", "E-mail notifications by status.", labels=["status"]
        )
        counts = dict(
            EmailNotification.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        for status in EmailNotification.Status.values:
            emails.add_metric([status], counts.get(status, 0))
        yield emails

        last = cache.get(LAST_RECONCILIATION_KEY)
        if last:
            yield GaugeMetricFamily(
                "fitconnect_reconciliation_last_run_timestamp_seconds",
                "When reconcile_payments last finished (Unix time).",
                last["at"],
            )
            result = GaugeMetricFamily(
                "fitconnect_reconciliation_last_result",
                "What the last reconcile_payments did, by figure.",
                labels=["figure"],
            )
            for name, value in last.items():
                if name != "at":
                    result.add_metric([name], value)
            yield result


_business = prometheus_client.CollectorRegistry(auto_describe=False)
_business.register(BusinessCollector())


def view(request) -> HttpResponse:
    if not (_has_token(request) or _is_internal(request)):
        return JsonResponse(
            {"error": "Metrics are served to internal addresses or with the metrics token."},
            status=403,
        )
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        processes = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(processes) + prometheus_client.generate_latest(
        _business
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
