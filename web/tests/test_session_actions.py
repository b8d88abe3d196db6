"""A client's session page: "Add to calendar", moving a paid session while a full refund would
still be granted, and one review of a completed paid session."""

import datetime as dt

import icalendar
import pytest
from django.core import mail

from bookings.models import Booking
from core.tests.factories import BookingFactory, ClientFactory, bookable, future
from notifications.tests.factories import PaidPaymentFactory
from reviews.models import Review
from reviews.tests.factories import completed_session

pytestmark = pytest.mark.django_db


def paid(hours: float = 72, **kwargs) -> Booking:
    return PaidPaymentFactory(booking__start_time=future(hours), **kwargs).booking


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_add_to_calendar_gives_the_session_as_an_ics_file(client):
    booking = paid()
    client.force_login(booking.client)
    detail = client.get(f"/sessions/{booking.pk}/").content.decode()
    assert f'href="/sessions/{booking.pk}/calendar.ics"' in detail
    response = client.get(f"/sessions/{booking.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == booking.start_time
    assert event.decoded("dtend") == booking.end_time


def test_an_unpaid_session_has_no_calendar_file_yet(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    assert "Add to calendar" not in client.get(f"/sessions/{booking.pk}/").content.decode()
    response = client.get(f"/sessions/{booking.pk}/calendar.ics", follow=True)
    assert "once it is paid" in " ".join(messages_of(response))


@pytest.mark.parametrize("action", ["calendar.ics", "reschedule/", "review/"])
def test_an_outsider_or_the_trainer_gets_404(client, action):
    booking = completed_session()
    for user in (ClientFactory(), booking.trainer.user):
        client.force_login(user)
        if action != "review/":  # a review is only ever posted
            assert client.get(f"/sessions/{booking.pk}/{action}").status_code == 404
        assert client.post(f"/sessions/{booking.pk}/{action}", {"rating": "5"}).status_code == 404
    assert not Review.objects.exists()


def test_a_paid_session_moves_to_another_free_time_and_the_trainer_is_told(
    client, django_capture_on_commit_callbacks
):
    booking = paid(72)
    client.force_login(booking.client)
    page = client.get(f"/sessions/{booking.pk}/reschedule/")
    assert page.status_code == 200
    assert 'class="slot"' in page.content.decode() and 'name="start"' in page.content.decode()
    new_start = bookable(96)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/sessions/{booking.pk}/reschedule/",
            {"start": new_start.strftime("%Y-%m-%dT%H:%M:%SZ")},
            follow=True,
        )
    assert "Your session is moved." in " ".join(messages_of(response))
    booking.refresh_from_db()
    assert (booking.start_time, booking.end_time) == (new_start, new_start + dt.timedelta(hours=1))
    assert booking.price == 7500
    assert any(booking.trainer.user.email in m.to for m in mail.outbox)


def test_a_session_is_not_moved_once_a_full_refund_is_over(client):
    booking = paid(3)  # inside the 24 hours before the session
    client.force_login(booking.client)
    detail = client.get(f"/sessions/{booking.pk}/").content.decode()
    assert "Move to another time" not in detail
    assert "can no longer be moved" in detail
    response = client.post(
        f"/sessions/{booking.pk}/reschedule/",
        {"start": future(96).strftime("%Y-%m-%dT%H:%M:%SZ")},
        follow=True,
    )
    assert "can no longer be moved" in " ".join(messages_of(response))
    assert Booking.objects.get(pk=booking.pk).start_time == booking.start_time


def test_an_unpaid_session_is_not_moved(client):
    booking = BookingFactory()
    client.force_login(booking.client)
    response = client.get(f"/sessions/{booking.pk}/reschedule/", follow=True)
    assert "Only a paid, upcoming session can be moved." in " ".join(messages_of(response))


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("someday", "Please pick a new time"),
        ("2020-01-01T10:00:00Z", "Please pick a new time"),
        ("soon", "at least"),
        (None, "already at this time"),
    ],
)
def test_a_bad_new_time_changes_nothing_and_says_why(client, start, message):
    booking = paid(72)
    client.force_login(booking.client)
    if start == "soon":  # inside the minimum notice
        start = future(0.5).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = start or booking.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = client.post(f"/sessions/{booking.pk}/reschedule/", {"start": start}, follow=True)
    assert message in " ".join(messages_of(response))
    assert Booking.objects.get(pk=booking.pk).start_time == booking.start_time


def test_a_bad_week_on_the_reschedule_page_is_a_400_with_this_week(client):
    booking = paid(72)
    client.force_login(booking.client)
    response = client.get(f"/sessions/{booking.pk}/reschedule/", {"week": "2999-01-01"})
    assert response.status_code == 400
    assert "not one we offer" in response.content.decode()


def test_a_completed_paid_session_is_reviewed_once(client):
    booking = completed_session()
    client.force_login(booking.client)
    assert "Publish review" in client.get(f"/sessions/{booking.pk}/").content.decode()
    url = f"/sessions/{booking.pk}/review/"
    response = client.post(url, {"rating": "4", "comment": " Solid. "}, follow=True)
    assert "Thank you!" in " ".join(messages_of(response))
    review = Review.objects.get(booking=booking)
    assert (review.rating, review.comment, review.trainer_id) == (4, "Solid.", booking.trainer_id)
    page = client.get(f"/sessions/{booking.pk}/").content.decode()
    assert "Publish review" not in page and "Your review" in page
    again = client.post(url, {"rating": "1"}, follow=True)
    assert "already reviewed" in " ".join(messages_of(again))
    assert Review.objects.get(booking=booking).rating == 4


@pytest.mark.parametrize("rating", ["0", "6", "five", ""])
def test_a_bad_rating_changes_nothing(client, rating):
    booking = completed_session()
    client.force_login(booking.client)
    response = client.post(f"/sessions/{booking.pk}/review/", {"rating": rating}, follow=True)
    assert "from 1 to 5" in " ".join(messages_of(response))
    assert not Review.objects.exists()


def test_a_session_not_yet_completed_or_refunded_cannot_be_reviewed(client):
    upcoming = paid(72)
    refunded = completed_session(payment_status="refunded")
    for booking in (upcoming, refunded):
        client.force_login(booking.client)
        assert "Publish review" not in client.get(f"/sessions/{booking.pk}/").content.decode()
        response = client.post(f"/sessions/{booking.pk}/review/", {"rating": "5"}, follow=True)
        assert response.status_code == 200
    assert not Review.objects.exists()
