"""Every page shows a session on the trainer's clock, where it takes place, and on the viewer's own
when that reads differently; with trainers in New York and Tokyo, on both sides of the US
daylight-saving change of 14 March 2027.

Django's date/time filters convert their value to the active zone first, so times put on the
trainer's clock came out in UTC: a New York trainer open 06:00-10:00 offered 11:00 slots, and a
08:00 JST session read 23:00 the day before.
"""

import datetime as dt

import pytest
from django.utils import timezone

from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def new_york():
    return TrainerProfileFactory(
        timezone="America/New_York", user__timezone="America/New_York", all_week=False
    )


@pytest.fixture
def tokyo():
    return TrainerProfileFactory(timezone="Asia/Tokyo", user__timezone="Asia/Tokyo")


def booking_at(trainer, client, start_utc: dt.datetime, **kwargs):
    return BookingFactory(trainer=trainer, client=client, start_time=start_utc, **kwargs)


def page(client, user, path) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return " ".join(response.content.decode().split())


def test_a_new_york_session_on_both_sides_of_the_dst_change(client, new_york):
    viewer = ClientFactory(timezone="Asia/Tokyo")
    # 06:00 in New York: 11:00Z before the change (EST, -5), 10:00Z after it (EDT, -4).
    before = booking_at(new_york, viewer, dt.datetime(2027, 3, 13, 11, tzinfo=UTC))
    after = booking_at(new_york, viewer, dt.datetime(2027, 3, 15, 10, tzinfo=UTC))
    expected = {
        before: (
            "Saturday 13 March 2027, 06:00-07:00 EST (America/New_York)",
            "Your time: Saturday 13 March 2027, 20:00-21:00 JST (Asia/Tokyo)",
        ),
        after: (
            "Monday 15 March 2027, 06:00-07:00 EDT (America/New_York)",
            "Your time: Monday 15 March 2027, 19:00-20:00 JST (Asia/Tokyo)",
        ),
    }
    for booking, (there, mine) in expected.items():
        for path in (
            f"/sessions/{booking.pk}/",
            f"/sessions/{booking.pk}/pay/",
            f"/sessions/{booking.pk}/cancel/",
        ):
            html = page(client, viewer, path)
            assert there in html and mine in html, path
    listing = page(client, viewer, "/sessions/")
    assert "Sat 13 Mar, 06:00-07:00 EST (America/New_York)" in listing
    assert "Your time: Sat 13 Mar, 20:00-21:00 JST (Asia/Tokyo)" in listing
    assert "Mon 15 Mar, 06:00-07:00 EDT (America/New_York)" in listing
    # The trainer reads their own clock only.
    area = page(client, new_york.user, "/trainer/")
    assert "Mon 15 Mar, 06:00-07:00 EDT (America/New_York)" in area
    assert "Your time" not in area


def test_a_tokyo_morning_is_the_evening_before_in_new_york(client, tokyo):
    viewer = ClientFactory(timezone="America/New_York")
    booking = booking_at(tokyo, viewer, dt.datetime(2027, 3, 15, 23, tzinfo=UTC))  # 08:00 JST
    html = page(client, viewer, f"/sessions/{booking.pk}/")
    assert "Tuesday 16 March 2027, 08:00-09:00 JST (Asia/Tokyo)" in html
    assert "Your time: Monday 15 March 2027, 19:00-20:00 EDT (America/New_York)" in html
    assert "08:00-09:00 JST" in page(client, tokyo.user, "/trainer/")


def test_a_viewer_in_the_trainers_zone_sees_one_time(client, tokyo):
    viewer = ClientFactory(timezone="Asia/Tokyo")
    booking = booking_at(tokyo, viewer, dt.datetime(2027, 3, 15, 23, tzinfo=UTC))
    html = page(client, viewer, f"/sessions/{booking.pk}/")
    assert "08:00-09:00 JST (Asia/Tokyo)" in html
    assert "Your time" not in html


@pytest.mark.parametrize(
    ("week", "first_utc", "first_tokyo", "last_tokyo", "new_york_label"),
    [
        ("2027-03-13", "2027-03-13T11:00:00Z", "20:00", "23:00", "06:00 EST"),
        ("2027-03-15", "2027-03-15T10:00:00Z", "19:00", "22:00", "06:00 EDT"),
    ],
)
def test_slots_read_on_the_viewers_clock_with_the_trainers_noted(
    client, new_york, monkeypatch, week, first_utc, first_tokyo, last_tokyo, new_york_label
):
    """A New York trainer open 06:00-10:00 every day, seen from Tokyo, on both sides of the US
    change: 06:00 EST is 20:00 JST, 06:00 EDT is 19:00 JST."""
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(trainer=new_york, weekday=d, start_time=dt.time(6), end_time=dt.time(10))
        for d in range(7)
    )
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 3, 12, 12, tzinfo=UTC))
    viewer = ClientFactory(timezone="Asia/Tokyo")
    html = page(client, viewer, f"/trainers/{new_york.pk}/?week={week}&duration=60")
    first = first_utc.replace(":", "%3A")
    assert (
        f'start={first}&amp;duration=60"><span class="slot-time">{first_tokyo}</span>'
        f'<small class="theirs"><span class="sr-only">, trainer\'s time </span>{new_york_label}'
    ) in html
    assert f">{last_tokyo}</span>" in html
    assert "Times in your time zone, Asia/Tokyo" in html
