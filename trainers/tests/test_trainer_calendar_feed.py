"""A trainer's private iCal feed: /api/v1/trainers/me/calendar/ makes, rotates and revokes its
URL; the feed lists recent and upcoming confirmed sessions in UTC with the trainer's zone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.tests.calendar_helpers import events, utc_range
from core.tests.factories import BookingFactory, TrainerProfileFactory, future
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/calendar/"


def session(trainer, hours, status="confirmed"):
    return PaidPaymentFactory(
        booking__trainer=trainer, booking__start_time=future(hours), booking__status=status
    ).booking


def feed_path(response) -> str:
    url = response.json()["feed_url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


@pytest.fixture
def tokyo():
    return TrainerProfileFactory(timezone="Asia/Tokyo")


def test_there_is_no_feed_until_the_trainer_asks_for_one(as_user, tokyo):
    assert as_user(tokyo.user).get(URL).json() == {"feed_url": None}


def test_the_feed_lists_recent_and_upcoming_sessions_of_that_trainer_only(as_user, client, tokyo):
    upcoming = session(tokyo, 48)
    done = session(tokyo, -72, status="completed")
    session(tokyo, -24 * 40, status="completed")  # older than 30 days
    session(tokyo, 30, status="cancelled")
    BookingFactory(trainer=tokyo, start_time=future(60), status="pending")
    session(TrainerProfileFactory(), 50)

    path = feed_path(as_user(tokyo.user).post(URL))
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    listed = events(response.content)
    assert [str(e["uid"]) for e in listed] == [
        f"booking-{done.pk}@127.0.0.1",
        f"booking-{upcoming.pk}@127.0.0.1",
    ]
    assert utc_range(listed[1]) == (upcoming.start_time, upcoming.end_time)
    assert b"X-WR-TIMEZONE:Asia/Tokyo" in response.content
    assert b"METHOD" not in response.content


def test_rotating_makes_a_new_url_and_the_old_one_404s(as_user, client, tokyo):
    me = as_user(tokyo.user)
    old = feed_path(me.post(URL))
    new = feed_path(me.post(URL))

    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert feed_path(me.get(URL)) == new


def test_revoking_turns_the_feed_off(as_user, client, tokyo):
    me = as_user(tokyo.user)
    path = feed_path(me.post(URL))
    assert me.delete(URL).json() == {"feed_url": None}
    assert client.get(path).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_disabled_trainers_feed_is_gone(as_user, client, tokyo):
    path = feed_path(as_user(tokyo.user).post(URL))
    tokyo.user.is_active = False
    tokyo.user.save()
    assert client.get(path).status_code == 404


def test_the_feed_costs_the_same_queries_for_one_session_as_for_many(as_user, client, tokyo):
    session(tokyo, 24)
    path = feed_path(as_user(tokyo.user).post(URL))
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for hours in range(30, 300, 24):
        session(tokyo, hours)
    with CaptureQueriesContext(connection) as many:
        assert len(events(client.get(path).content)) == 13
    assert len(many) == len(one) == 2


def test_it_is_for_trainers_only(as_user, api, client_user, admin_user):
    for user in (client_user, admin_user):
        assert as_user(user).post(URL).status_code == 403
    assert api.get(URL).status_code == 401
