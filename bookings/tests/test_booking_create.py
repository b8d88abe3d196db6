import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.conftest import URL, at
from core.tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db


def test_it_books_a_pending_hold_priced_by_the_server(book, client_user, trainer):
    start = at(days=3, hour=9)
    before = timezone.now()
    response = book(client_user, trainer, start, 90)

    assert response.status_code == 201, response.json()
    body = response.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk
    assert body["client_email"] == client_user.email
    assert body["trainer_id"] == trainer.pk
    assert body["trainer_email"] == trainer.user.email
    assert body["start_time"] == f"{start:%Y-%m-%dT%H:%M:%S}Z"
    assert body["end_time"] == f"{start + dt.timedelta(minutes=90):%Y-%m-%dT%H:%M:%S}Z"
    assert body["duration_minutes"] == 90
    assert body["price"] == "112.50"
    assert body["currency"] == "usd"
    assert body["status"] == "pending"
    assert body["payment_status"] == "unpaid"
    assert body["created_at"]
    assert body["cancellation_refund"] == {
        "amount": "0.00",
        "percent": "0",
        "rule": "Nothing has been paid, so nothing is refunded.",
    }
    assert booking.price == 11250
    assert booking.client == client_user
    hold = booking.hold_expires_at - before
    assert dt.timedelta(minutes=14) < hold <= dt.timedelta(minutes=15, seconds=5)


def test_it_ignores_price_status_and_client_in_the_request(book, client_user, outsider, trainer):
    response = book(
        client_user,
        trainer,
        at(),
        60,
        price="0.01",
        status="confirmed",
        payment_status="paid",
        client_id=outsider.pk,
        currency="jpy",
    )

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert (booking.price, booking.currency) == (7500, "usd")
    assert (booking.status, booking.payment_status) == ("pending", "unpaid")
    assert booking.client == client_user


def test_it_reads_offsets_other_than_utc(as_user, client_user, trainer):
    start = at(days=4, hour=12)
    local = start.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat()
    body = {"trainer_id": trainer.pk, "start_time": local, "duration_minutes": 60}
    response = as_user(client_user).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert Booking.objects.get().start_time == start


def test_it_refuses_a_naive_start_time(as_user, client_user, trainer):
    naive = at().replace(tzinfo=None).isoformat()
    body = {"trainer_id": trainer.pk, "start_time": naive, "duration_minutes": 60}
    response = as_user(client_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == (
        "start_time: Start time must include a UTC offset, e.g. 2030-01-31T10:00:00Z."
    )
    assert not Booking.objects.exists()


@pytest.mark.parametrize("value", ["tomorrow", "2030-13-45T10:00:00Z", 12345, None, ""])
def test_it_refuses_a_start_time_that_is_not_a_datetime(as_user, client_user, trainer, value):
    body = {"trainer_id": trainer.pk, "start_time": value, "duration_minutes": 60}
    response = as_user(client_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("start_time: ")
    assert not Booking.objects.exists()


@pytest.mark.parametrize("duration", [0, 15, 29, 45 + 1, 50, 181, 195, -60, 10**12])
def test_it_refuses_a_duration_off_the_quarter_hour_grid(book, client_user, trainer, duration):
    response = book(client_user, trainer, at(), duration)

    assert response.status_code == 400
    assert response.json()["error"] == (
        "duration_minutes: Duration must be between 30 and 180 minutes in 15-minute steps."
    )
    assert not Booking.objects.exists()


@pytest.mark.parametrize(("duration", "price"), [(30, "37.50"), (45, "56.25"), (180, "225.00")])
def test_it_accepts_every_duration_on_the_grid(book, client_user, trainer, duration, price):
    response = book(client_user, trainer, at(), duration)

    assert response.status_code == 201
    assert response.json()["price"] == price


def test_it_refuses_a_start_inside_the_minimum_notice(book, client_user, trainer):
    soon = (timezone.now() + dt.timedelta(minutes=90)).replace(second=0, microsecond=0)
    response = book(client_user, trainer, soon)

    assert response.status_code == 400
    assert response.json()["error"] == (
        "start_time: Sessions must be booked at least 120 minutes in advance."
    )
    assert not Booking.objects.exists()


def test_it_refuses_a_start_in_the_past(book, client_user, trainer):
    response = book(client_user, trainer, at(days=-1))

    assert response.status_code == 400
    assert "at least 120 minutes in advance" in response.json()["error"]


def test_it_refuses_a_start_beyond_the_booking_horizon(book, client_user, trainer):
    response = book(client_user, trainer, at(days=91))

    assert response.status_code == 400
    assert response.json()["error"] == (
        "start_time: Sessions can be booked at most 90 days in advance."
    )
    assert not Booking.objects.exists()


def test_it_refuses_a_time_outside_the_trainers_availability(book, client_user):
    trainer = TrainerProfileFactory(all_week=False)
    trainer.availability.create(weekday=at().weekday(), start_time=dt.time(9), end_time=dt.time(12))

    inside = book(client_user, trainer, at(hour=11))
    overhanging = book(client_user, trainer, at(hour=11, minute=30))
    outside = book(client_user, trainer, at(hour=14))

    assert inside.status_code == 201
    for response in (overhanging, outside):
        assert response.status_code == 400
        assert response.json()["error"] == (
            "start_time: The session is outside the trainer's availability."
        )
    assert Booking.objects.count() == 1


def test_it_refuses_a_trainer_who_is_not_accepting_bookings(book, client_user):
    trainer = TrainerProfileFactory(accepting_bookings=False)
    response = book(client_user, trainer, at())

    assert response.status_code == 400
    assert response.json()["error"] == "trainer_id: This trainer is not accepting bookings."
    assert not Booking.objects.exists()


def test_it_refuses_an_unknown_trainer_with_a_400(as_user, client_user):
    body = {"trainer_id": 987654, "start_time": at().isoformat(), "duration_minutes": 60}
    response = as_user(client_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "trainer_id: No trainer with this id."


@pytest.mark.parametrize("trainer_id", ["abc", 0, -1, 2**64, None, True])
def test_it_refuses_a_malformed_trainer_id(as_user, client_user, trainer_id):
    body = {"trainer_id": trainer_id, "start_time": at().isoformat(), "duration_minutes": 60}
    response = as_user(client_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("trainer_id: ")


def test_it_lets_only_clients_book(book, trainer, admin_user):
    other_trainer = TrainerProfileFactory()

    for user in (other_trainer.user, trainer.user, admin_user):
        response = book(user, trainer, at())
        assert response.status_code == 400
        assert response.json()["error"] == "Only clients can book sessions."
    assert not Booking.objects.exists()


def test_it_requires_authentication(api, trainer):
    body = {"trainer_id": trainer.pk, "start_time": at().isoformat(), "duration_minutes": 60}
    response = api.post(URL, body, format="json")

    assert response.status_code == 401
    assert "error" in response.json()


def test_it_answers_malformed_json_with_a_400(as_user, client_user):
    response = as_user(client_user).post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()


def test_it_answers_a_body_that_is_not_an_object_with_a_400(as_user, client_user):
    response = as_user(client_user).post(URL, [1, 2], format="json")

    assert response.status_code == 400
    assert "error" in response.json()
