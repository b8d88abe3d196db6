"""POST /api/v1/bookings/{id}/reschedule/: the client moves a paid session to another free time
of the same trainer, at the same price, while a full refund would still be granted."""

import contextlib
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

import bookings.reschedule
import bookings.services
from bookings.models import Booking
from bookings.tests.calendar_helpers import invitation, utc_range
from bookings.tests.conftest import URL as BOOKINGS_URL
from bookings.tests.conftest import at, iso
from core.tests.concurrency import run_concurrently
from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory, RefundFactory
from payments.models import Payment
from trainers.tests.helpers import every_day, trainer_with

pytestmark = pytest.mark.django_db


def paid(trainer=None, start=None, **kwargs):
    trainer = trainer or TrainerProfileFactory()
    return PaidPaymentFactory(
        booking__trainer=trainer,
        booking__start_time=start or at(days=5, hour=10),
        **{f"booking__{k}": v for k, v in kwargs.items()},
    ).booking


def move(as_user, user, booking, start):
    return as_user(user).post(
        f"/api/v1/bookings/{booking.pk}/reschedule/", {"start_time": iso(start)}, format="json"
    )


def test_the_client_moves_a_paid_session_at_the_same_price(
    as_user, django_capture_on_commit_callbacks
):
    booking = paid()
    price, new_start = booking.price, at(days=6, hour=14)

    with django_capture_on_commit_callbacks(execute=True):
        response = move(as_user, booking.client, booking, new_start)

    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.start_time, booking.end_time) == (new_start, new_start + dt.timedelta(hours=1))
    assert (booking.price, booking.status, booking.payment_status) == (price, "confirmed", "paid")
    assert booking.calendar_sequence == 1
    assert Payment.objects.get(booking=booking).amount == price
    assert response.json()["start_time"] == iso(new_start)


def test_the_trainer_and_the_client_are_told_with_an_updated_invitation(
    as_user, django_capture_on_commit_callbacks
):
    booking = paid(start=at(days=5, hour=10))
    new_start = at(days=6, hour=14)

    with django_capture_on_commit_callbacks(execute=True):
        move(as_user, booking.client, booking, new_start)

    by_recipient = {m.to[0]: m for m in mail.outbox}
    trainer_mail = by_recipient[booking.trainer.user.email]
    assert "moved the session" in trainer_mail.subject
    assert "Was:" in trainer_mail.body
    for message in (trainer_mail, by_recipient[booking.client.email]):
        method, calendar = invitation(message)
        [event] = list(calendar.walk("VEVENT"))
        assert method == "REQUEST"
        assert str(event["uid"]) == f"booking-{booking.pk}@127.0.0.1"
        assert event["sequence"] == 1
        assert utc_range(event) == (new_start, new_start + dt.timedelta(hours=1))


def test_the_old_time_is_free_again_and_the_new_one_taken(as_user, book):
    booking = paid()
    old_start, new_start = booking.start_time, at(days=6, hour=14)
    assert move(as_user, booking.client, booking, new_start).status_code == 200

    other = ClientFactory()
    assert book(other, booking.trainer, old_start).status_code == 201
    assert book(other, booking.trainer, new_start).status_code == 409


def test_it_may_overlap_its_own_old_time(as_user):
    booking = paid(start=at(days=5, hour=10))
    later = at(days=5, hour=10, minute=30)
    assert move(as_user, booking.client, booking, later).status_code == 200


def test_it_refuses_a_time_that_is_taken(as_user):
    booking = paid()
    BookingFactory(trainer=booking.trainer, start_time=at(days=6, hour=14), status="pending")
    response = move(as_user, booking.client, booking, at(days=6, hour=14, minute=30))
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.start_time == at(days=5, hour=10)


def test_it_follows_the_trainers_hours_in_their_own_zone(as_user):
    for tz in ("America/New_York", "Asia/Tokyo"):
        trainer = trainer_with(every_day("09:00", "12:00"), tz=tz)
        zone = ZoneInfo(tz)
        day = timezone.now().astimezone(zone).date() + dt.timedelta(days=5)
        start = dt.datetime.combine(day, dt.time(9), zone)
        booking = paid(trainer=trainer, start=start)

        inside = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(11), zone)
        outside = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(11, 15), zone)
        response = move(as_user, booking.client, booking, outside)
        assert response.status_code == 400, tz
        assert "availability" in response.json()["error"]
        assert move(as_user, booking.client, booking, inside).status_code == 200, tz


def test_it_is_refused_once_a_full_refund_would_no_longer_be_granted(as_user, settings):
    settings.CANCELLATION_FULL_REFUND_HOURS = 24
    booking = paid(start=timezone.now().replace(microsecond=0) + dt.timedelta(hours=23))
    response = move(as_user, booking.client, booking, at(days=6, hour=14))
    assert response.status_code == 400
    assert "refunded in full" in response.json()["error"]


def test_it_reads_the_policy_not_a_copy_of_it(as_user, settings):
    # The same session, movable or not depending only on the policy's setting.
    booking = paid(start=timezone.now().replace(microsecond=0) + dt.timedelta(hours=30))
    settings.CANCELLATION_FULL_REFUND_HOURS = 48
    assert move(as_user, booking.client, booking, at(days=6, hour=14)).status_code == 400
    settings.CANCELLATION_FULL_REFUND_HOURS = 24
    assert move(as_user, booking.client, booking, at(days=6, hour=14)).status_code == 200


def test_a_partly_refunded_session_can_still_be_moved(as_user):
    refund = RefundFactory(
        payment__booking__start_time=at(days=5, hour=10),
        payment__booking__payment_status="partially_refunded",
        payment__status=Payment.Status.PARTIALLY_REFUNDED,
        amount=1000,
    )
    booking = refund.payment.booking
    assert move(as_user, booking.client, booking, at(days=6, hour=14)).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda: BookingFactory(start_time=at(days=5, hour=10)),  # pending, unpaid
        lambda: paid(status="cancelled"),
        lambda: paid(status="completed"),
        lambda: (
            PaidPaymentFactory(
                booking__start_time=at(days=5, hour=10),
                booking__payment_status="refunded",
                status=Payment.Status.REFUNDED,
            ).booking
        ),
    ],
)
def test_only_a_confirmed_paid_session_can_be_moved(as_user, make):
    booking = make()
    before = booking.start_time
    response = move(as_user, booking.client, booking, at(days=6, hour=14))
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.start_time == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "start_time"),
        ({"start_time": "soon"}, "start_time"),
        ({"start_time": "2030-01-31T10:00:00"}, "start_time"),  # no offset
        ({"start_time": "+1h"}, "start_time"),  # inside the minimum notice
        ({"start_time": "+200d"}, "start_time"),  # beyond the horizon
        ({"start_time": "same"}, "start_time"),
    ],
)
def test_it_refuses_bad_input(as_user, body, field):
    booking = paid()
    value = body.get("start_time")
    if value == "+1h":
        body = {"start_time": iso(timezone.now() + dt.timedelta(hours=1))}
    elif value == "+200d":
        body = {"start_time": iso(at(days=200, hour=10))}
    elif value == "same":
        body = {"start_time": iso(booking.start_time)}
    response = as_user(booking.client).post(
        f"/api/v1/bookings/{booking.pk}/reschedule/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert field in response.json()["fields"]


def test_only_its_client_may_move_it_and_outsiders_get_404(as_user, outsider, admin_user):
    booking = paid()
    new_start = at(days=6, hour=14)
    assert move(as_user, outsider, booking, new_start).status_code == 404
    assert move(as_user, TrainerProfileFactory().user, booking, new_start).status_code == 404
    assert move(as_user, booking.trainer.user, booking, new_start).status_code == 403
    assert move(as_user, admin_user, booking, new_start).status_code == 403
    booking.refresh_from_db()
    assert booking.start_time == at(days=5, hour=10)


THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_moves_and_new_bookings_racing_for_one_slot_never_double_book():
    trainer = TrainerProfileFactory()
    clients = [ClientFactory() for _ in range(THREADS)]
    # Half the clients hold a paid session elsewhere and try to move it into the slot; the
    # others try to book the slot outright.
    sessions = {
        i: paid(trainer=trainer, start=at(days=3, hour=8 + i), client=clients[i])
        for i in range(0, THREADS, 2)
    }
    target = at(days=6, hour=14)

    def attempt(i):
        api = APIClient()
        api.force_authenticate(clients[i])
        # Overlapping, not identical, times: the check must be an overlap.
        start = iso(target + dt.timedelta(minutes=15 * (i % 3)))
        if i in sessions:
            url = f"/api/v1/bookings/{sessions[i].pk}/reschedule/"
            return api.post(url, {"start_time": start}, format="json").status_code
        body = {"trainer_id": trainer.pk, "start_time": start, "duration_minutes": 60}
        return api.post(BOOKINGS_URL, body, format="json").status_code

    statuses = run_concurrently(attempt, THREADS)

    assert sum(s in (200, 201) for s in statuses) == 1, statuses
    assert statuses.count(409) == THREADS - 1
    near = Booking.objects.filter(
        trainer=trainer,
        start_time__lt=target + dt.timedelta(hours=2),
        end_time__gt=target,
        status__in=["pending", "confirmed"],
    )
    assert near.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_new_booking_are_checked_one_after_the_other(monkeypatch):
    """Both requests are held at the availability check, inside their transactions, until the
    other arrives there too or a second has passed. With the trainer's row locked (as it must
    be) the second cannot get there before the first commits, so it then sees the first's
    booking; without the lock both would pass the overlap check together and both succeed."""
    meeting = threading.Barrier(2, timeout=1)
    checked = bookings.services.is_within_availability

    def held(*args, **kwargs):
        # Broken: the other request is waiting for our lock, go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return checked(*args, **kwargs)

    monkeypatch.setattr(bookings.services, "is_within_availability", held)
    monkeypatch.setattr(bookings.reschedule, "is_within_availability", held)
    trainer = TrainerProfileFactory()
    mover, booker = ClientFactory(), ClientFactory()
    session = paid(trainer=trainer, start=at(days=3, hour=8), client=mover)
    target = iso(at(days=6, hour=14))

    def attempt(i):
        api = APIClient()
        if i == 0:
            api.force_authenticate(mover)
            url = f"/api/v1/bookings/{session.pk}/reschedule/"
            return api.post(url, {"start_time": target}, format="json").status_code
        api.force_authenticate(booker)
        body = {"trainer_id": trainer.pk, "start_time": target, "duration_minutes": 60}
        return api.post(BOOKINGS_URL, body, format="json").status_code

    statuses = sorted(run_concurrently(attempt, 2))

    assert statuses in ([200, 409], [201, 409]), statuses
    assert Booking.objects.filter(trainer=trainer, start_time=at(days=6, hour=14)).count() == 1
