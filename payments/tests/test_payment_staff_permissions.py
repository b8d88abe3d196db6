"""is_staff opens the admin; seeing every payment and refunding take Django permissions."""

import pytest
from django.contrib.auth.models import Permission

from core.tests.factories import UserFactory
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(email="support@example.com", role="admin", is_staff=True)


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached


def test_staff_without_the_permission_see_no_payments_and_cannot_refund(as_user, staff):
    payment = PaidPaymentFactory()
    api = as_user(staff)
    assert api.get("/api/v1/payments/").json() == []
    assert api.get(f"/api/v1/payments/{payment.pk}/").status_code == 404
    r = api.post(f"/api/v1/payments/{payment.pk}/refund/", {"reason": "x"}, format="json")
    assert r.status_code == 404


def test_the_view_permission_shows_every_payment_but_does_not_refund(as_user, staff):
    payment = PaidPaymentFactory()
    api = as_user(grant(staff, "view_payment"))
    assert [p["id"] for p in api.get("/api/v1/payments/").json()] == [payment.pk]
    r = api.post(f"/api/v1/payments/{payment.pk}/refund/", {"reason": "x"}, format="json")
    assert r.status_code == 403


def test_the_refund_permission_lets_staff_refund(as_user, staff):
    payment = PaidPaymentFactory()
    api = as_user(grant(staff, "view_payment", "add_refund"))
    # Past the permission check: the amount is refused before anything reaches Stripe.
    r = api.post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"reason": "x", "amount": "\u0667\u0665.00"},
        format="json",
    )
    assert r.status_code == 400
    assert "digits 0-9" in r.json()["fields"]["amount"][0]


def test_the_schema_gives_payments_their_own_status_values(api):
    import json

    from bookings.models import Booking
    from payments.models import Payment

    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    components = schema["components"]["schemas"]

    def enum(component, field):
        ref = components[component]["properties"][field]
        ref = ref.get("$ref") or ref["allOf"][0]["$ref"]
        return components[ref.rsplit("/", 1)[1]]["enum"]

    assert enum("PaymentListOutput", "status") == list(Payment.Status.values)
    assert enum("PaymentDetailOutput", "status") == list(Payment.Status.values)
    assert enum("BookingOutput", "payment_status") == list(Booking.PaymentStatus.values)
