"""payment_intent.* events built and signed here (localstripe never sends canceled or
requires_action), about intents that exist at the emulator: handlers ask it for the truth."""

import logging
import re

import pytest

from bookings.models import Booking
from core.tests.factories import BookingFactory, ClientFactory
from payments.models import Payment, Refund, WebhookEvent
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.fixture
def started(localstripe, start_payment):
    """A booking whose client has started paying: (booking, payment, intent id)."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    return booking, Payment.objects.get(stripe_payment_intent_id=intent_id), intent_id


def as_event(localstripe, type_, intent_id, **overrides):
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    intent.update(overrides)
    return se.event(type_, intent)


def test_it_marks_a_canceled_intent_canceled(api, localstripe, started):
    booking, payment, intent_id = started
    localstripe.sdk.v1.payment_intents.cancel(intent_id)

    response = se.post(api, as_event(localstripe, "payment_intent.canceled", intent_id))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "canceled"
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("pending", "unpaid")


def test_it_marks_an_intent_that_needs_3d_secure_requires_action(api, localstripe, started):
    booking, payment, intent_id = started
    card = {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    pm = localstripe.sdk.v1.payment_methods.create({"type": "card", "card": card})
    assert localstripe.confirm(intent_id, pm.id).status == "requires_action"

    response = se.post(api, as_event(localstripe, "payment_intent.requires_action", intent_id))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == "requires_action"
    assert Booking.objects.get(pk=booking.pk).payment_status == "pending"


def test_it_applies_succeeded_with_card_details_and_logs_it(
    api, localstripe, started, caplog, django_capture_on_commit_callbacks
):
    booking, payment, intent_id = started
    localstripe.confirm(intent_id, "pm_card_visa")

    # The card is fetched right after the webhook's commit (eagerly here, as without a broker).
    with (
        caplog.at_level(logging.INFO, logger="payments"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    payment.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("succeeded", "visa", "4242")
    assert f"Payment succeeded: payment {payment.pk} booking {booking.pk}" in caplog.text
    # The card's last digits never reach the log. Asserted on each message as a number of its
    # own: a timing figure such as 0.0034242 s may contain the digits by chance.
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if re.search(r"(?<![\d.])4242(?!\d)", m)], messages


def test_a_late_payment_failed_never_undoes_succeeded(api, localstripe, started):
    booking, payment, intent_id = started
    localstripe.confirm(intent_id, "pm_card_visa")
    succeeded = as_event(localstripe, "payment_intent.succeeded", intent_id)
    # The failure of an earlier attempt, delivered last (its payload says what was true then).
    failed = as_event(
        localstripe,
        "payment_intent.payment_failed",
        intent_id,
        status="requires_payment_method",
        last_payment_error={"code": "card_declined", "message": "Your card was declined."},
    )

    se.post(api, succeeded)
    response = se.post(api, failed)

    assert response.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("succeeded", "")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_a_stale_failure_delivered_before_succeeded_is_overtaken_by_it(api, localstripe, started):
    booking, payment, intent_id = started
    localstripe.confirm(intent_id, "pm_card_visa")
    # A decline of an earlier attempt, delivered before the success (its copy is stale): the
    # webhook applies copies without asking Stripe, so it is recorded, and the success that
    # Stripe always sends for the intent then moves both rows on (failed -> succeeded / paid).
    stale_failed = as_event(
        localstripe,
        "payment_intent.payment_failed",
        intent_id,
        status="requires_payment_method",
        last_payment_error={"code": "card_declined", "message": "Your card was declined."},
    )

    se.post(api, stale_failed)
    assert Payment.objects.get(pk=payment.pk).status == "failed"
    se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code, payment.failure_message) == ("succeeded", "", "")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_a_late_canceled_or_requires_action_never_undoes_succeeded(api, localstripe, started):
    _booking, payment, intent_id = started
    localstripe.confirm(intent_id, "pm_card_visa")
    se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    for type_, status in [
        ("payment_intent.requires_action", "requires_action"),
        ("payment_intent.canceled", "canceled"),
    ]:
        response = se.post(api, as_event(localstripe, type_, intent_id, status=status))
        assert response.status_code == 200

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 3


def test_it_refunds_in_full_a_payment_that_lands_after_the_booking_was_cancelled(
    api, localstripe, started, django_capture_on_commit_callbacks
):
    booking, payment, intent_id = started
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    localstripe.confirm(intent_id, "pm_card_visa")

    # The refund is asked for once the success is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    refund = Refund.objects.get()
    assert (refund.amount, refund.source, refund.status) == (7500, "cancellation", "succeeded")
    assert "cancelled" in refund.reason
    assert [r.amount for r in localstripe.refunds(intent_id)] == [7500]
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("cancelled", "refunded")


def test_it_confirms_an_expired_booking_whose_slot_is_still_free(api, localstripe, started):
    booking, _payment, intent_id = started
    Booking.objects.filter(pk=booking.pk).update(status="expired")
    localstripe.confirm(intent_id, "pm_card_visa")

    se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert not Refund.objects.exists()


def test_it_refunds_an_expired_booking_whose_slot_was_taken(
    api, localstripe, started, django_capture_on_commit_callbacks
):
    booking, payment, intent_id = started
    Booking.objects.filter(pk=booking.pk).update(status="expired")
    BookingFactory(
        trainer=booking.trainer,
        client=ClientFactory(),
        start_time=booking.start_time,
        status="confirmed",
        payment_status="paid",
    )
    localstripe.confirm(intent_id, "pm_card_visa")

    with django_capture_on_commit_callbacks(execute=True):
        se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))

    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    assert Refund.objects.get().source == "cancellation"
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("expired", "refunded")


def test_a_duplicate_success_for_a_cancelled_booking_refunds_only_once(
    api, localstripe, started, django_capture_on_commit_callbacks
):
    booking, _payment, intent_id = started
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    localstripe.confirm(intent_id, "pm_card_visa")
    evt = as_event(localstripe, "payment_intent.succeeded", intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        se.post(api, evt)
        se.post(api, evt)
        se.post(api, as_event(localstripe, "payment_intent.succeeded", intent_id))  # new id

    assert Refund.objects.count() == 1
    assert len(localstripe.refunds(intent_id)) == 1
