"""Each directory card's next free time: the first free hour on the trainer's own clock, across a
daylight-saving change, after taken slots, live holds and the notice period; pages of a
directory sorted by it; and a query count that does not grow with trainers or their bookings."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityOverride, AvailabilityWindow
from web.views.directory import PAGE_SIZE

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NEW_YORK, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
# Friday 12 March 2027, noon UTC: New York moves its clocks forward on Sunday 14 March at 02:00.
# The notice period (2 h) makes 14:00 UTC the first start on offer.
NOW = dt.datetime(2027, 3, 12, 12, tzinfo=UTC)
FRIDAY, SATURDAY, SUNDAY = 4, 5, 6


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def trainer(name, tz, windows, **kwargs):
    profile = TrainerProfileFactory(
        user__first_name=name, user__last_name="Coach", timezone=tz, all_week=False, **kwargs
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(trainer=profile, weekday=d, start_time=dt.time(s), end_time=dt.time(e))
        for d, s, e in windows
    )
    return profile


def book(profile, start, **kwargs):
    kwargs.setdefault("status", "confirmed")
    kwargs.setdefault("hold_expires_at", None)
    return BookingFactory(
        trainer=profile, start_time=start, end_time=start + dt.timedelta(hours=1), **kwargs
    )


def cards(html: str) -> dict[str, str]:
    """{trainer's first name: what the card says of their next free time}."""
    found = re.findall(
        r'<a href="/trainers/\d+/">(\w+) Coach</a>.*?<p class="next-free small">(.*?)</p>',
        html,
        re.S,
    )
    return {name: re.sub(r"<[^>]+>", "", text) for name, text in found}


@pytest.fixture
def new_york():
    # Friday 06:00-09:00 EST is 11:00-14:00 UTC: its last hour starts at 13:00 UTC, inside the
    # notice period, so the first free hour is Sunday's, 09:00 EDT (13:00 UTC, 14:00 on Friday's
    # EST clock: the change must be applied).
    return trainer("Nora", "America/New_York", [(FRIDAY, 6, 9), (SUNDAY, 9, 12)])


@pytest.fixture
def tokyo():
    # Open 08:00-20:00 every day; Friday is over (21:00 JST), so Saturday 08:00 JST comes first.
    profile = trainer("Taro", "Asia/Tokyo", [(d, 8, 20) for d in range(7)])
    saturday = dt.datetime(2027, 3, 13, tzinfo=TOKYO)
    book(profile, saturday.replace(hour=8))  # confirmed
    book(
        profile,
        saturday.replace(hour=9),
        status="pending",
        hold_expires_at=NOW + dt.timedelta(minutes=10),
    )
    # A hold that has run out frees its time even before the expiry task marks it expired.
    book(
        profile,
        saturday.replace(hour=10),
        status="pending",
        hold_expires_at=NOW - dt.timedelta(minutes=1),
    )
    return profile


def test_a_visitor_reads_each_next_free_time_on_the_trainers_clock(client, new_york, tokyo):
    shown = cards(client.get("/trainers/").content.decode())
    assert shown == {
        "Nora": "Next free: Sun 14 Mar, 09:00 EDT (America/New_York)",
        "Taro": "Next free: Sat 13 Mar, 10:00 JST (Asia/Tokyo)",
    }


def test_a_client_reads_each_next_free_time_on_their_own_clock(client, new_york, tokyo):
    client.force_login(ClientFactory(timezone="Europe/Paris"))
    shown = cards(client.get("/trainers/").content.decode())
    # 13:00 UTC is 14:00 in Paris (CET); 10:00 JST is 01:00 UTC, 02:00 in Paris.
    assert shown == {"Nora": "Next free: Sun 14 Mar, 14:00", "Taro": "Next free: Sat 13 Mar, 02:00"}


def test_sorting_by_the_soonest_free_time_shows_the_same_times(client, new_york, tokyo):
    html = client.get("/trainers/", {"sort": "soonest"}).content.decode()
    assert list(cards(html)) == ["Taro", "Nora"]
    assert cards(html)["Nora"] == "Next free: Sun 14 Mar, 09:00 EDT (America/New_York)"


def test_a_trainer_without_a_free_hour_in_two_weeks_says_so(client):
    # Only Saturdays 10:00-11:00 in Tokyo, both Saturdays of the next two weeks taken, the
    # third beyond them.
    profile = trainer("Full", "Asia/Tokyo", [(SATURDAY, 10, 11)])
    for day in (13, 20):
        book(profile, dt.datetime(2027, 3, day, 10, tzinfo=TOKYO))
    for params in ({}, {"sort": "soonest"}):
        shown = cards(client.get("/trainers/", params).content.decode())
        assert shown == {"Full": "No free time in the next two weeks"}


def test_a_day_off_moves_the_next_free_time_to_the_following_week(client, new_york):
    AvailabilityOverride.objects.create(trainer=new_york, date=dt.date(2027, 3, 14), kind="day_off")
    shown = cards(client.get("/trainers/").content.decode())
    # Friday 19 March 06:00 EDT is 10:00 UTC.
    assert shown == {"Nora": "Next free: Fri 19 Mar, 06:00 EDT (America/New_York)"}


def test_a_trainer_who_cannot_be_paid_is_not_listed_while_an_account_is_required(
    client, settings, new_york, tokyo
):
    settings.REQUIRE_PAYOUT_ACCOUNT = True
    tokyo.payouts_enabled = True
    tokyo.save()
    for params in ({}, {"sort": "soonest"}, {"day": "2027-03-14"}):
        shown = cards(client.get("/trainers/", params).content.decode())
        assert shown == {"Taro": "Next free: Sat 13 Mar, 10:00 JST (Asia/Tokyo)"}, params


def many(count: int, bookings_each: int) -> list:
    """`count` trainers in New York and Tokyo, open every day 09:00-17:00, their first
    `bookings_each` hours from Saturday on taken."""
    made = []
    for i in range(count):
        tz = ("America/New_York", "Asia/Tokyo")[i % 2]
        profile = trainer(f"T{i:03d}", tz, [(d, 9, 17) for d in range(7)], languages=["en"])
        first = dt.datetime(2027, 3, 13, 9, tzinfo=ZoneInfo(tz))
        for h in range(bookings_each):
            book(profile, first + dt.timedelta(days=h // 8, hours=h % 8))
        made.append(profile)
    return made


def test_page_two_continues_the_soonest_order_and_keeps_the_filters(client):
    made = many(PAGE_SIZE + 3, 0)
    # New York's Friday 09:00 EST (14:00 UTC) comes before Tokyo's Saturday 09:00 JST (00:00
    # UTC): New York's trainers first, each zone by id.
    order = [p for p in made if p.timezone == "America/New_York"] + [
        p for p in made if p.timezone == "Asia/Tokyo"
    ]
    first = client.get("/trainers/", {"sort": "soonest", "q": "Coach"}).content.decode()
    assert list(cards(first)) == [p.user.first_name for p in order[:PAGE_SIZE]]
    assert 'href="?sort=soonest&amp;q=Coach&amp;page=2">Next</a>' in first
    second = client.get("/trainers/", {"sort": "soonest", "q": "Coach", "page": "2"})
    html = second.content.decode()
    assert list(cards(html)) == [p.user.first_name for p in order[PAGE_SIZE:]]
    assert "Page 2 of 2" in html and "27 trainers found" in html
    last = cards(html)[order[-1].user.first_name]
    assert last == "Next free: Sat 13 Mar, 09:00 JST (Asia/Tokyo)"


@pytest.mark.parametrize("params", [{}, {"sort": "soonest"}, {"day": "2027-03-15"}])
@pytest.mark.parametrize(
    ("page", "shown"),
    [("99", "Page 2 of 2"), ("x", "Page 1 of 2"), ("-1", "Page 2 of 2"), ("", "Page 1 of 2")],
)
def test_an_out_of_range_or_junk_page_falls_back_to_a_page_of_cards(client, params, page, shown):
    many(PAGE_SIZE + 3, 0)
    response = client.get("/trainers/", {**params, "page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html
    assert len(cards(html)) == (3 if shown == "Page 2 of 2" else PAGE_SIZE)


@pytest.mark.parametrize(
    "params", [{}, {"sort": "soonest"}, {"day": "2027-03-16"}, {"sort": "soonest", "page": "2"}]
)
def test_the_query_count_stays_flat_as_trainers_and_bookings_grow(
    client, django_assert_max_num_queries, params
):
    many(1, 1)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/trainers/", params).status_code == 200
    many(PAGE_SIZE * 2, 20)
    with django_assert_max_num_queries(len(few)):
        assert client.get("/trainers/", params).status_code == 200
