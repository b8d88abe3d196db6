"""GET /api/v1/bookings/{id}/calendar.ics: "Add to calendar" for the client and the trainer."""

import datetime as dt

import pytest

from bookings.tests.calendar_helpers import events, utc_range
from core.tests.factories import BookingFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/calendar.ics"


def paid(**kwargs):
    return PaidPaymentFactory(**{f"booking__{k}": v for k, v in kwargs.items()}).booking


def test_the_client_downloads_the_session_as_an_event(as_user):
    booking = paid()

    response = as_user(booking.client).get(url(booking))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="session-{booking.pk}.ics"' in response["Content-Disposition"]
    [event] = events(response.content)
    assert str(event["uid"]) == f"booking-{booking.pk}@127.0.0.1"
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    assert utc_range(event) == (booking.start_time, booking.end_time)
    trainer_name = booking.trainer.user.get_full_name()
    assert str(event["summary"]) == f"Training session with {trainer_name}"
    assert f"/sessions/{booking.pk}/" in str(event["url"])
    assert b"DTSTART:" in response.content and b"Z\r\n" in response.content  # UTC times


def test_the_trainer_gets_the_same_event_from_their_side(as_user):
    booking = paid()
    response = as_user(booking.trainer.user).get(url(booking))
    [event] = events(response.content)
    assert str(event["uid"]) == f"booking-{booking.pk}@127.0.0.1"
    assert str(event["summary"]) == f"Training session with {booking.client.get_full_name()}"


def test_it_answers_a_client_that_asks_for_text_calendar_only(as_user):
    booking = paid()
    response = as_user(booking.client).get(url(booking), HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert events(response.content)


@pytest.mark.parametrize(
    ("tz", "start", "local"),
    [
        # 01:30 happens twice in New York on 1 November 2026; this is the second (EST) one.
        ("America/New_York", dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "01:30 EST"),
        ("America/New_York", dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "01:30 EDT"),
        ("America/New_York", dt.datetime(2027, 3, 14, 7, 0, tzinfo=UTC), "03:00 EDT"),
        ("Asia/Tokyo", dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC), "09:00 JST"),
    ],
)
def test_the_event_is_at_the_exact_instant_across_dst_changes(as_user, tz, start, local):
    booking = paid(trainer=TrainerProfileFactory(timezone=tz), start_time=start)
    [event] = events(as_user(booking.client).get(url(booking)).content)
    assert utc_range(event) == (start, start + dt.timedelta(hours=1))
    assert tz in str(event["description"])


def test_a_cancelled_session_downloads_as_cancelled_with_a_higher_sequence(as_user):
    booking = paid(status="cancelled", calendar_sequence=2)
    [event] = events(as_user(booking.client).get(url(booking)).content)
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 3


def test_an_unpaid_hold_has_no_event_yet(as_user):
    booking = BookingFactory(status="pending")
    response = as_user(booking.client).get(url(booking))
    assert response.status_code == 409
    assert response.json()["error"]


def test_only_the_client_and_the_trainer_get_it(as_user, api, outsider, admin_user):
    booking = paid()
    assert as_user(outsider).get(url(booking)).status_code == 404
    assert as_user(TrainerProfileFactory().user).get(url(booking)).status_code == 404
    assert as_user(admin_user).get(url(booking)).status_code == 404
    assert api.get(url(booking)).status_code == 401
    assert as_user(booking.client).get("/api/v1/bookings/999999/calendar.ics").status_code == 404


def test_a_signed_in_page_visitor_can_follow_the_link(client):
    booking = paid()
    client.force_login(booking.client)
    assert client.get(url(booking)).status_code == 200
