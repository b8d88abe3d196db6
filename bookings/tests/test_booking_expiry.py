import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_expire_stale
from bookings.tasks import expire_stale_bookings
from bookings.tests.conftest import at
from core.tests.factories import BookingFactory, ClientFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


def stale(**kwargs):
    return BookingFactory(hold_expires_at=timezone.now() - dt.timedelta(minutes=1), **kwargs)


def test_it_expires_only_pending_holds_that_have_passed(trainer):
    old = stale(trainer=trainer, start_time=at(hour=9))
    fresh = BookingFactory(trainer=trainer, start_time=at(hour=11))
    paid = BookingFactory(
        trainer=trainer,
        start_time=at(hour=13),
        status="confirmed",
        payment_status="paid",
        hold_expires_at=timezone.now() - dt.timedelta(hours=1),
    )

    assert booking_expire_stale() == 1

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", fresh.pk: "pending", paid.pk: "confirmed"}


def test_it_is_idempotent():
    stale()

    assert booking_expire_stale() == 1
    assert booking_expire_stale() == 0


def test_it_works_through_more_than_one_batch(monkeypatch):
    monkeypatch.setattr("bookings.services.EXPIRE_BATCH_SIZE", 2)
    client = ClientFactory()
    for day in range(1, 6):
        stale(client=client, start_time=at(days=day))

    assert booking_expire_stale() == 5
    assert set(Booking.objects.values_list("status", flat=True)) == {"expired"}


def test_it_uses_the_given_clock():
    booking = BookingFactory()  # hold ends in 15 minutes

    assert booking_expire_stale(now=timezone.now()) == 0
    assert booking_expire_stale(now=timezone.now() + dt.timedelta(minutes=16)) == 1
    booking.refresh_from_db()
    assert booking.status == "expired"


def test_the_command_reports_the_count_and_frees_the_slot(book, client_user, trainer, capsys):
    booking = stale(trainer=trainer, start_time=at(hour=10))

    call_command("expire_bookings")

    assert capsys.readouterr().out.strip() == "Expired 1 booking."
    booking.refresh_from_db()
    assert booking.status == "expired"
    assert book(client_user, trainer, at(hour=10)).status_code == 201


def test_the_command_says_when_nothing_expired(capsys):
    call_command("expire_bookings")

    assert capsys.readouterr().out.strip() == "Expired 0 bookings."


def test_the_periodic_task_expires_stale_holds():
    stale()

    assert expire_stale_bookings.delay().get() == 1
    assert Booking.objects.get().status == "expired"


def test_it_leaves_an_attempt_with_no_intent_yet_for_stripes_answer():
    # Its checkout may be charging the card right now: only Stripe's answer (or reconciliation,
    # which looks for the intent by our metadata) can close it.
    booking = stale(payment_status="pending")
    payment = Payment.objects.create(booking=booking, amount=booking.price, currency="usd")

    assert booking_expire_stale() == 1

    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == "pending"
    assert (booking.status, booking.payment_status) == ("expired", "pending")


def test_a_payment_failure_does_not_stop_the_batch(monkeypatch):
    first = stale(payment_status="pending", start_time=at(hour=9))
    second = stale(payment_status="pending", start_time=at(hour=12))
    for booking in (first, second):
        Payment.objects.create(booking=booking, amount=booking.price, currency="usd")
    settled = []

    def flaky_settle(*, booking, actor, reason):
        if booking.pk == first.pk:
            raise ConnectionError("Stripe is down")
        settled.append(booking.pk)

    monkeypatch.setattr("bookings.services.payment_settle_cancellation", flaky_settle)

    assert booking_expire_stale() == 2

    assert set(Booking.objects.values_list("status", flat=True)) == {"expired"}
    assert settled == [second.pk]
