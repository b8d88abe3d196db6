"""Admins see the open payment alerts and mark them resolved once dealt with."""

import pytest

from payments.alerts import alert_raise
from payments.models import PaymentAlert

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/payments/paymentalert/"


def test_it_lists_open_alerts_and_resolves_them(client, admin_user):
    alert = alert_raise(
        key="unmatched:pi_1", kind="unmatched_charge", message="No row", stripe_id="pi_1"
    )
    client.force_login(admin_user)

    listed = client.get(CHANGELIST, {"open": "yes"})
    assert list(listed.context["cl"].result_list) == [alert]
    response = client.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [alert.pk]})

    assert response.status_code == 302
    assert PaymentAlert.objects.get().resolved_at is not None
    assert list(client.get(CHANGELIST, {"open": "yes"}).context["cl"].result_list) == []


def test_the_same_alert_is_raised_once(caplog):
    for _ in range(2):
        alert_raise(key="refund_failed:1", kind="refund_failed", message="Refused")
    assert PaymentAlert.objects.count() == 1
    assert caplog.text.count("Refused") == 2  # logged every time it is met


def test_clients_cannot_see_alerts(client, client_user):
    client.force_login(client_user)
    assert client.get(CHANGELIST).status_code == 302
