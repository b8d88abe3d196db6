"""The list pages cost the same number of queries for one row as for many (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory, future

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_it_lists_a_clients_sessions_in_a_fixed_number_of_queries(client):
    me = ClientFactory()
    BookingFactory(client=me)
    BookingFactory(client=me, start_time=future(-72))
    client.force_login(me)
    few = queries(client, "/sessions/")
    for hours in (50, 60, 70, -90, -100):
        BookingFactory(client=me, start_time=future(hours))
    assert queries(client, "/sessions/") == few


def test_it_shows_the_trainers_upcoming_sessions_in_a_fixed_number_of_queries(client):
    trainer = TrainerProfileFactory()
    BookingFactory(trainer=trainer, status=Booking.Status.CONFIRMED)
    client.force_login(trainer.user)
    few = queries(client, "/trainer/")
    for hours in (50, 60, 70, 80):
        BookingFactory(trainer=trainer, start_time=future(hours), status=Booking.Status.CONFIRMED)
    assert queries(client, "/trainer/") == few


def test_it_lists_trainers_in_a_fixed_number_of_queries(client):
    TrainerProfileFactory()
    few = queries(client, "/trainers/")
    TrainerProfileFactory.create_batch(5, specialties=["yoga", "strength"])
    assert queries(client, "/trainers/") == few


def test_it_shows_a_trainers_two_weeks_of_slots_in_a_fixed_number_of_queries(client):
    import datetime as dt

    from trainers.models import AvailabilityOverride

    trainer = TrainerProfileFactory(timezone="America/New_York")
    BookingFactory(trainer=trainer, status=Booking.Status.CONFIRMED)
    few = queries(client, f"/trainers/{trainer.pk}/")
    today = dt.date.today()
    for days in range(1, 6):
        BookingFactory(
            trainer=trainer, start_time=future(24 * days + 3), status=Booking.Status.CONFIRMED
        )
        AvailabilityOverride.objects.create(
            trainer=trainer, date=today + dt.timedelta(days=days), kind="day_off"
        )
    assert queries(client, f"/trainers/{trainer.pk}/") == few
