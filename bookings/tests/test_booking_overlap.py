import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.conftest import at
from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_an_overlapping_booking_with_a_409(book, client_user, trainer):
    assert book(client_user, trainer, at(hour=10), 60).status_code == 201

    response = book(ClientFactory(), trainer, at(hour=10, minute=30), 60)

    assert response.status_code == 409
    assert response.json() == {"error": "The trainer already has a booking at this time."}
    assert Booking.objects.count() == 1


def test_it_allows_back_to_back_sessions(book, client_user, trainer):
    assert book(client_user, trainer, at(hour=10), 60).status_code == 201
    assert book(ClientFactory(), trainer, at(hour=11), 60).status_code == 201
    assert book(ClientFactory(), trainer, at(hour=9), 60).status_code == 201

    assert Booking.objects.count() == 3


def test_it_allows_the_same_time_with_another_trainer(book, client_user, trainer):
    assert book(client_user, trainer, at(hour=10)).status_code == 201
    assert book(client_user, TrainerProfileFactory(), at(hour=10)).status_code == 201


@pytest.mark.parametrize("status", ["confirmed", "completed"])
def test_it_is_blocked_by_a_paid_session(book, client_user, trainer, status):
    BookingFactory(trainer=trainer, start_time=at(hour=10), status=status, hold_expires_at=None)

    assert book(client_user, trainer, at(hour=10)).status_code == 409


def test_it_is_not_blocked_by_a_stale_hold_even_before_expiry_ran(book, client_user, trainer):
    stale = BookingFactory(
        trainer=trainer,
        start_time=at(hour=10),
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1),
    )

    response = book(client_user, trainer, at(hour=10))

    assert response.status_code == 201
    stale.refresh_from_db()
    assert stale.status == "pending"  # the expiry task has not run, the slot is free anyway


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_it_is_not_blocked_by_a_dead_booking(book, client_user, trainer, status):
    BookingFactory(trainer=trainer, start_time=at(hour=10), status=status)

    assert book(client_user, trainer, at(hour=10)).status_code == 201
