"""GET /api/v1/trainers/: sorts (rating, price, soonest), filters (specialty, language, price
range, day) and next_available, in a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.factories import BookingFactory, TrainerProfileFactory
from reviews.tests.factories import ReviewFactory, completed_session
from trainers.models import AvailabilityOverride
from trainers.selectors import trainer_directory
from trainers.tests.helpers import trainer_with, utc

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


def rate(trainer, *ratings):
    for rating in ratings:
        ReviewFactory(booking=completed_session(trainer=trainer), rating=rating)


def test_it_sorts_by_rating_with_unrated_trainers_last(api):
    unrated = TrainerProfileFactory()
    good = TrainerProfileFactory()
    best_few = TrainerProfileFactory()
    best_many = TrainerProfileFactory()
    rate(good, 4, 4)
    rate(best_few, 5)
    rate(best_many, 5, 5)

    assert ids(api.get(URL, {"sort": "rating"})) == [best_many.pk, best_few.pk, good.pk, unrated.pk]


def test_it_sorts_by_price_in_each_trainers_currency(api):
    usd_80 = TrainerProfileFactory(hourly_rate=8000)
    jpy_70 = TrainerProfileFactory(hourly_rate=70, currency="jpy")
    usd_60 = TrainerProfileFactory(hourly_rate=6000)

    assert ids(api.get(URL, {"sort": "price"})) == [usd_60.pk, jpy_70.pk, usd_80.pk]
    assert ids(api.get(URL, {"sort": "-price"})) == [usd_80.pk, jpy_70.pk, usd_60.pk]


def test_it_filters_by_a_price_range(api):
    TrainerProfileFactory(hourly_rate=3999)
    low = TrainerProfileFactory(hourly_rate=4000)
    high = TrainerProfileFactory(hourly_rate=8000)
    above = TrainerProfileFactory(hourly_rate=8001)
    yen_40 = TrainerProfileFactory(hourly_rate=40, currency="jpy")
    yen_41 = TrainerProfileFactory(hourly_rate=41, currency="jpy")

    in_range = {"min_rate": "40.00", "max_rate": "80.00"}
    assert ids(api.get(URL, in_range)) == [low.pk, high.pk, yen_40.pk, yen_41.pk]
    # Yen has no decimals: a minimum of 40.50 starts at 41 yen.
    assert ids(api.get(URL, {"min_rate": "40.50"})) == [high.pk, above.pk, yen_41.pk]


def test_it_filters_by_specialty_and_language_from_the_lists(api):
    match = TrainerProfileFactory(specialties=["yoga"], languages=["ja", "en"])
    TrainerProfileFactory(specialties=["yoga"], languages=["en"])
    TrainerProfileFactory(specialties=["boxing"], languages=["ja"])

    assert ids(api.get(URL, {"specialty": "Yoga", "language": "JA"})) == [match.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"specialty": "underwater basket weaving"}, "specialty"),
        ({"language": "klingon"}, "language"),
        ({"min_rate": "-1"}, "min_rate"),
        ({"min_rate": "90", "max_rate": "80"}, "min_rate"),
        ({"day": "2030-02-30"}, "day"),
        ({"day": "soon"}, "day"),
        ({"sort": "cheapest"}, "sort"),
    ],
)
def test_it_refuses_bad_filters(api, params, field):
    TrainerProfileFactory()
    response = api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert response.json()["error"]


def _weekday_in(tz: str, days_ahead: int) -> tuple[int, dt.date]:
    local = timezone.now().astimezone(ZoneInfo(tz)).date() + dt.timedelta(days=days_ahead)
    return local.weekday(), local


def test_it_sorts_by_the_soonest_free_hour_with_fully_booked_trainers_last(api):
    open_now = TrainerProfileFactory(timezone="America/New_York")
    weekday, _ = _weekday_in("Asia/Tokyo", 4)
    later = trainer_with([(weekday, "09:00", "12:00")], tz="Asia/Tokyo")
    nothing = trainer_with([], tz="America/New_York")

    response = api.get(URL, {"sort": "soonest"})

    assert ids(response) == [open_now.pk, later.pk, nothing.pk]
    rows = {row["id"]: row for row in response.json()}
    assert rows[nothing.pk]["next_available"] is None
    assert rows[open_now.pk]["next_available"] < rows[later.pk]["next_available"]


def test_it_keeps_only_trainers_free_on_the_day_asked(api):
    weekday, date = _weekday_in("America/New_York", 3)
    free = trainer_with([(weekday, "09:00", "12:00")], tz="America/New_York")
    off = trainer_with([(weekday, "09:00", "12:00")], tz="America/New_York")
    AvailabilityOverride.objects.create(trainer=off, date=date, kind="day_off")
    booked = trainer_with([(weekday, "09:00", "10:00")], tz="America/New_York")
    start = dt.datetime.combine(date, dt.time(9), ZoneInfo("America/New_York"))
    BookingFactory(trainer=booked, start_time=start, status="confirmed", hold_expires_at=None)

    assert ids(api.get(URL, {"day": date.isoformat()})) == [free.pk]


def test_next_free_times_follow_each_trainers_zone_across_a_dst_change():
    # Saturday 31 October 2026, noon UTC. New York sets its clocks back that night.
    now = utc(2026, 10, 31, 12)
    sunday = 6
    new_york = trainer_with([(sunday, "09:00", "10:00")], tz="America/New_York")
    tokyo = trainer_with([(sunday, "09:00", "10:00")], tz="Asia/Tokyo")

    trainers = trainer_directory(sort="soonest", now=now)

    assert [t.pk for t in trainers] == [tokyo.pk, new_york.pk]
    # 09:00 in Tokyo (UTC+9) on Sunday 1 November is 00:00Z; in New York it is now EST (UTC-5).
    assert [t.next_available for t in trainers] == [utc(2026, 11, 1, 0), utc(2026, 11, 1, 14)]
    sunday_only = trainer_directory(day=dt.date(2026, 11, 1), now=now)
    assert {t.pk for t in sunday_only} == {tokyo.pk, new_york.pk}
    assert list(trainer_directory(day=dt.date(2026, 11, 2), now=now)) == []


def queries(api, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _populate(n: int):
    for i in range(n):
        trainer = TrainerProfileFactory(timezone=("America/New_York", "Asia/Tokyo")[i % 2])
        rate(trainer, 3 + i % 3)
        BookingFactory(trainer=trainer, status="confirmed", hold_expires_at=None)
        AvailabilityOverride.objects.create(
            trainer=trainer, date=timezone.now().date() + dt.timedelta(days=2), kind="day_off"
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "rating"}, {"sort": "price"}, {"sort": "soonest"}, {"day": "+3"}],
    ids=["default", "rating", "price", "soonest", "day"],
)
def test_its_query_count_is_the_same_for_one_trainer_as_for_many(api, params):
    if params.get("day"):
        params = {"day": (timezone.now().date() + dt.timedelta(days=3)).isoformat()}
    _populate(1)
    one = queries(api, params)
    _populate(9)
    many = queries(api, params)
    assert len(api.get(URL, params).json()) == 10
    assert many == one
