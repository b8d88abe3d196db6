"""One client cannot block a trainer's calendar: unpaid holds are capped, a hold is renewed only
so far, and booking creation is rate limited. 308 unpaid 3-hour bookings in 4 s used to leave a
trainer no free slot for 91 days."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.conftest import at
from core.tests.factories import BookingFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db


def test_it_caps_unpaid_holds_with_one_trainer(book, client_user, trainer, settings):
    settings.BOOKING_MAX_UNPAID_PER_TRAINER = 2
    for hour in (6, 10):
        assert book(client_user, trainer, at(days=3, hour=hour), 180).status_code == 201
    r = book(client_user, trainer, at(days=3, hour=14), 180)
    assert r.status_code == 400
    assert "2 unpaid sessions with this trainer" in r.json()["error"]
    assert Booking.objects.count() == 2
    # Another trainer is still bookable.
    assert book(client_user, TrainerProfileFactory(), at(days=3, hour=14)).status_code == 201


def test_it_caps_unpaid_holds_in_all(book, client_user, settings):
    settings.BOOKING_MAX_UNPAID_PER_CLIENT = 3
    for _ in range(3):
        assert book(client_user, TrainerProfileFactory(), at(days=4)).status_code == 201
    r = book(client_user, TrainerProfileFactory(), at(days=4))
    assert r.status_code == 400
    assert "3 unpaid sessions, the most allowed" in r.json()["error"]


def test_expired_and_paid_bookings_do_not_count(book, client_user, trainer, settings):
    settings.BOOKING_MAX_UNPAID_PER_TRAINER = 1
    BookingFactory(
        client=client_user, trainer=trainer, hold_expires_at=timezone.now() - dt.timedelta(1)
    )
    BookingFactory(client=client_user, trainer=trainer, status="confirmed", start_time=at(5))
    assert book(client_user, trainer, at(days=3)).status_code == 201


def test_booking_creation_is_rate_limited_per_client(book, client_user, settings):
    settings.BOOKING_CREATE_RATE = "2/h"
    settings.BOOKING_MAX_UNPAID_PER_CLIENT = 10
    for _ in range(2):
        assert book(client_user, TrainerProfileFactory(), at(days=3)).status_code == 201
    r = book(client_user, TrainerProfileFactory(), at(days=3))
    assert r.status_code == 429
    assert r.json()["error"].startswith("Too many new bookings: at most 2 per hour.")
    assert 0 < int(r.headers["Retry-After"]) <= 3600


def test_the_web_booking_page_names_the_limit_too(client, client_user, trainer, settings):
    settings.BOOKING_MAX_UNPAID_PER_TRAINER = 1
    client.force_login(client_user)
    start = at(days=3, hour=9)
    for expected in (302, 400):
        r = client.post(
            f"/trainers/{trainer.pk}/book/",
            {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": 60},
        )
        assert r.status_code == expected
        start += dt.timedelta(hours=2)
    assert "1 unpaid sessions with this trainer" in r.content.decode()
