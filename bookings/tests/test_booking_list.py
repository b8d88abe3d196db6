import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.tests.conftest import URL, at
from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings(client_user, trainer):
    """Mine with `trainer`, mine with another trainer, a stranger's with `trainer`, and an
    unrelated booking between strangers."""
    return {
        "mine": BookingFactory(client=client_user, trainer=trainer, start_time=at(hour=9)),
        "mine_elsewhere": BookingFactory(client=client_user, start_time=at(hour=12)),
        "theirs": BookingFactory(trainer=trainer, start_time=at(hour=15)),
        "unrelated": BookingFactory(start_time=at(hour=16)),
    }


def ids(response):
    assert response.status_code == 200
    return {row["id"] for row in response.json()}


def test_it_shows_clients_only_their_own_bookings(as_user, client_user, bookings):
    response = as_user(client_user).get(URL)

    assert ids(response) == {bookings["mine"].pk, bookings["mine_elsewhere"].pk}


def test_it_shows_trainers_only_bookings_with_them(as_user, trainer, bookings):
    response = as_user(trainer.user).get(URL)

    assert ids(response) == {bookings["mine"].pk, bookings["theirs"].pk}


def test_it_shows_admins_every_booking(as_user, admin_user, bookings):
    response = as_user(admin_user).get(URL)

    assert ids(response) == {b.pk for b in bookings.values()}


def test_it_shows_an_outsider_nothing(as_user, outsider, bookings):
    assert ids(as_user(outsider).get(URL)) == set()


def test_it_requires_authentication(api):
    assert api.get(URL).status_code == 401


def test_it_filters_by_status(as_user, client_user, bookings):
    cancelled = BookingFactory(client=client_user, status="cancelled")

    assert ids(as_user(client_user).get(URL, {"status": "cancelled"})) == {cancelled.pk}
    assert ids(as_user(client_user).get(URL, {"status": "pending"})) == {
        bookings["mine"].pk,
        bookings["mine_elsewhere"].pk,
    }


def test_it_refuses_an_unknown_status_filter(as_user, client_user):
    response = as_user(client_user).get(URL, {"status": "paid-ish"})

    assert response.status_code == 400
    assert response.json()["error"].startswith("status: ")


def test_it_lists_upcoming_sessions_soonest_first(as_user, client_user, trainer):
    past = BookingFactory(
        client=client_user, trainer=trainer, start_time=timezone.now() - dt.timedelta(days=1)
    )
    later = BookingFactory(client=client_user, trainer=trainer, start_time=at(days=5))
    sooner = BookingFactory(client=client_user, trainer=trainer, start_time=at(days=2))

    upcoming = as_user(client_user).get(URL, {"upcoming": "true"}).json()
    everything = as_user(client_user).get(URL, {"upcoming": "false"}).json()

    assert [row["id"] for row in upcoming] == [sooner.pk, later.pk]
    assert [row["id"] for row in everything] == [later.pk, sooner.pk, past.pk]


def test_it_refuses_a_bad_upcoming_flag(as_user, client_user):
    response = as_user(client_user).get(URL, {"upcoming": "soon"})

    assert response.status_code == 400
    assert response.json()["error"].startswith("upcoming: ")


def test_it_pages_a_json_array_with_link_headers(as_user, client_user, trainer):
    for day in range(1, 6):
        BookingFactory(client=client_user, trainer=trainer, start_time=at(days=day))

    response = as_user(client_user).get(URL, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert len(response.json()) == 2
    assert response["X-Total-Count"] == "5"
    assert 'rel="next"' in response["Link"]
    assert 'rel="prev"' in response["Link"]
    assert as_user(client_user).get(URL, {"page_size": "x"}).status_code == 400
    assert as_user(client_user).get(URL, {"page": 99}).status_code == 404


def _add_bookings(client, count):
    for i in range(count):
        booking = BookingFactory(
            client=client, trainer=TrainerProfileFactory(), start_time=at(days=1 + i)
        )
        # A paid booking has a payment the cancellation preview reads.
        booking.confirm()
        booking.payment_status = "paid"
        booking.save()
        Payment.objects.create(
            booking=booking, amount=booking.price, currency="usd", status="succeeded"
        )


def test_it_lists_in_a_constant_number_of_queries(as_user, client_user):
    api = as_user(client_user)
    _add_bookings(client_user, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(URL).json()) == 2

    _add_bookings(client_user, 8)
    with CaptureQueriesContext(connection) as many:
        rows = api.get(URL).json()

    assert len(rows) == 10
    assert rows[0]["cancellation_refund"]["amount"] == "75.00"
    assert len(many) == len(few)
