"""The week view, the confirmation step before anything is held, and a visitor who logs in or
signs up mid-way coming back to the time they picked."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.tests.factories import PASSWORD, BookingFactory, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow
from web.viewer import safe_next

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2027, 3, 12, 12, tzinfo=UTC)  # a Friday, two days before the US change


@pytest.fixture
def tokyo(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    trainer = TrainerProfileFactory(
        timezone="Asia/Tokyo", hourly_rate=12000, currency="usd", all_week=False
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(trainer=trainer, weekday=d, start_time=dt.time(8), end_time=dt.time(20))
        for d in range(7)
    )
    return trainer


def confirm_url(trainer, start: str, duration=60) -> str:
    return f"/trainers/{trainer.pk}/confirm/?start={start}&duration={duration}"


def test_a_visitor_sees_the_week_grouped_on_their_own_clock(client, tokyo):
    client.cookies["tz"] = "America/New_York"
    html = client.get(f"/trainers/{tokyo.pk}/").content.decode()
    # 08:00 JST on Saturday 13 March is 18:00 EST on Friday 12 March in New York.
    assert "Times in your time zone, America/New_York" in html
    assert "Friday 12 March" in html
    assert ">18:00</span>" in html and "Sat 08:00 JST" in html
    assert "Evening" in html and "Morning" in html


def test_without_a_known_zone_times_read_on_the_trainers_clock(client, tokyo):
    client.cookies["tz"] = "Mars/Olympus"
    html = client.get(f"/trainers/{tokyo.pk}/").content.decode()
    assert "Times in the trainer's time zone, Asia/Tokyo." in html
    assert 'class="theirs"' not in html


def test_the_week_moves_forward_and_back_within_the_bookable_range(client, tokyo, settings):
    settings.BOOKING_MAX_DAYS_AHEAD = 14
    client.cookies["tz"] = "Asia/Tokyo"
    html = client.get(f"/trainers/{tokyo.pk}/").content.decode()
    assert 'href="?week=2027-03-19&amp;duration=60" rel="next"' in html
    assert 'rel="prev"' not in html
    html = client.get(f"/trainers/{tokyo.pk}/", {"week": "2027-03-19"}).content.decode()
    assert 'href="?week=2027-03-12&amp;duration=60" rel="prev"' in html
    html = client.get(f"/trainers/{tokyo.pk}/", {"week": "2027-03-26"}).content.decode()
    assert 'rel="next"' not in html  # 2 April is past the horizon
    assert client.get(f"/trainers/{tokyo.pk}/", {"week": "2027-03-27"}).status_code == 400


def test_the_confirmation_shows_both_clocks_length_price_and_policy(client, tokyo):
    client.force_login(ClientFactory(timezone="Europe/London"))
    response = client.get(confirm_url(tokyo, "2027-03-15T00:00:00Z", 90))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Monday 15 March 2027, 00:00-01:30 GMT (Europe/London)" in html
    assert "Monday 15 March 2027, 09:00-10:30 JST (Asia/Tokyo)" in html
    assert "90 minutes" in html and "180.00 USD" in html
    assert "for a full refund" in html
    assert "Hold this time and pay" in html
    assert not Booking.objects.exists()  # nothing is held before the button


def test_the_confirmation_refuses_a_time_that_is_not_free_or_not_a_time(client, tokyo):
    BookingFactory(
        trainer=tokyo,
        start_time=dt.datetime(2027, 3, 15, 0, tzinfo=UTC),
        status=Booking.Status.CONFIRMED,
    )
    taken = client.get(confirm_url(tokyo, "2027-03-15T00:00:00Z"))
    assert taken.status_code == 409
    assert "no longer free" in taken.content.decode()
    closed = client.get(confirm_url(tokyo, "2027-03-15T13:00:00Z"))  # 22:00 JST
    assert closed.status_code == 409
    for bad in ("soon", "2027-03-15T00:00:00Z&duration=7", ""):
        response = client.get(f"/trainers/{tokyo.pk}/confirm/?start={bad}")
        assert response.status_code == 400
        assert "not one we offer" in response.content.decode()
    assert client.get("/trainers/999999/confirm/?start=x").status_code == 404


def test_a_visitor_logs_in_and_comes_back_to_the_time_they_picked(client, tokyo):
    here = confirm_url(tokyo, "2027-03-15T00:00:00Z")
    html = client.get(here).content.decode()
    assert "Log in to book" in html and "Hold this time" not in html
    quoted = f"/trainers/{tokyo.pk}/confirm/%3Fstart%3D2027-03-15T00%3A00%3A00Z%26duration%3D60"
    assert f'href="/login/?next={quoted}"' in html
    assert f'href="/signup/?next={quoted}"' in html
    user = ClientFactory()
    response = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": here})
    assert response.status_code == 302 and response["Location"] == here
    assert "Hold this time and pay" in client.get(here).content.decode()


def test_a_visitor_signs_up_and_comes_back_to_the_time_they_picked(client, tokyo):
    here = confirm_url(tokyo, "2027-03-15T00:00:00Z")
    form = client.get("/signup/", {"next": here}).content.decode()
    assert 'name="next" value="/trainers/' in form
    response = client.post(
        "/signup/",
        {
            "role": "client",
            "first_name": "New",
            "last_name": "Client",
            "email": "new@example.com",
            "password": "a long enough passphrase 42",
            "timezone": "America/New_York",
            "next": here,
        },
    )
    assert response.status_code == 302 and response["Location"] == here


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/ok\\..",
        "http:/x",
        "javascript:alert(1)",
        "/x\nLocation: https://evil.example",
        "trainers/1/",
    ],
)
def test_log_in_never_sends_anyone_off_our_own_paths(client, target):
    assert safe_next(target) == ""
    user = ClientFactory()
    response = client.post("/login/", {"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == "/trainers/"


def test_own_paths_are_kept():
    assert safe_next("/trainers/3/confirm/?start=2027-03-15T00:00:00Z&duration=60") == (
        "/trainers/3/confirm/?start=2027-03-15T00:00:00Z&duration=60"
    )


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"]
)
def test_times_at_the_ends_of_the_calendar_are_a_400_not_a_500(client, start):
    """0001-01-01 00:00Z is still in year 0 in New York: converting it overflowed (500)."""
    trainer = TrainerProfileFactory(timezone="America/New_York")
    response = client.get(f"/trainers/{trainer.pk}/confirm/", {"start": start, "duration": "60"})
    assert response.status_code == 400
    client.force_login(ClientFactory())
    assert (
        client.post(f"/trainers/{trainer.pk}/book/", {"start": start, "duration": "60"}).status_code
        == 400
    )
    assert not Booking.objects.exists()


def test_a_trainer_who_cannot_be_paid_offers_no_times(client, settings):
    settings.REQUIRE_PAYOUT_ACCOUNT = True
    trainer = TrainerProfileFactory(payouts_enabled=False)
    html = client.get(f"/trainers/{trainer.pk}/").content.decode()
    assert "not taking new bookings right now" in html and 'class="slot"' not in html
