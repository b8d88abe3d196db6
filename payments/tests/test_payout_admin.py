"""The admin sees transfers, their reversals and the held ones, and holds or releases them."""

import pytest

from core.tests.factories import TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Transfer
from payments.tests.connect_helpers import FakeConnect, onboard

pytestmark = pytest.mark.django_db

URL = "/admin/payments/transfer/"


def transfer(status="pending", **kwargs):
    trainer = onboard(TrainerProfileFactory())
    payment = PaidPaymentFactory(booking__trainer=trainer, booking__status="completed")
    return Transfer.objects.create(
        booking=payment.booking, payment=payment, trainer=trainer, amount=6375,
        currency="usd", status=status, **kwargs,
    )  # fmt: skip


def test_the_admin_lists_held_transfers(client, admin_user):
    held, waiting = transfer("held"), transfer("pending")
    client.force_login(admin_user)

    page = client.get(URL, {"payout": "held"})

    assert page.status_code == 200
    shown = set(page.context["cl"].result_list)
    assert shown == {held}
    assert waiting not in shown
    assert "63.75 USD" in page.content.decode()


def test_the_admin_holds_and_releases(client, admin_user, stripe_requests,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    stripe_requests.answer(FakeConnect())
    row = transfer("pending")
    client.force_login(admin_user)

    client.post(URL, {"action": "hold", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert (row.status, row.hold_reason) == ("held", f"Held by {admin_user.email}.")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "release", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.stripe_transfer_id


def test_a_transfer_cannot_be_edited(client, admin_user):
    row = transfer("pending")
    client.force_login(admin_user)

    client.post(f"{URL}{row.pk}/change/", {"amount": "1"})

    row.refresh_from_db()
    assert row.amount == 6375


def test_only_staff_see_transfers(client, client_user):
    transfer("held")
    client.force_login(client_user)

    assert client.get(URL).status_code == 302
