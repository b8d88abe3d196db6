"""/api/v1/trainers/me/availability/overrides/: a trainer's day-offs and extra hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.factories import TrainerProfileFactory
from trainers.models import AvailabilityOverride

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/availability/overrides/"


def local_today(trainer) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(trainer.timezone)).date()


def day(trainer, days: int) -> str:
    return (local_today(trainer) + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def tokyo():
    return TrainerProfileFactory(timezone="Asia/Tokyo")


def test_it_adds_a_day_off_and_extra_hours_and_lists_them_soonest_first(as_user, tokyo):
    me = as_user(tokyo.user)
    extra = me.post(
        URL, {"date": day(tokyo, 5), "kind": "extra", "start": "18:00", "end": "20:30"}, "json"
    )
    off = me.post(URL, {"date": day(tokyo, 3), "kind": "day_off"}, format="json")

    assert (extra.status_code, off.status_code) == (201, 201), extra.content
    assert off.json() == {
        "id": off.json()["id"],
        "date": day(tokyo, 3),
        "kind": "day_off",
        "start": None,
        "end": None,
    }
    listed = me.get(URL)
    assert listed.status_code == 200
    assert [o["date"] for o in listed.json()] == [day(tokyo, 3), day(tokyo, 5)]
    assert listed.json()[1]["start"] == "18:00" and listed.json()[1]["end"] == "20:30"
    assert listed["X-Total-Count"] == "2"


def test_the_list_leaves_out_dates_past_in_the_trainers_zone(as_user, tokyo):
    AvailabilityOverride.objects.create(
        trainer=tokyo, date=local_today(tokyo) - dt.timedelta(days=1), kind="day_off"
    )
    today = AvailabilityOverride.objects.create(
        trainer=tokyo, date=local_today(tokyo), kind="day_off"
    )
    assert [o["id"] for o in as_user(tokyo.user).get(URL).json()] == [today.pk]


def test_it_allows_touching_extra_hours_but_not_overlapping_ones(as_user, tokyo):
    me = as_user(tokyo.user)
    date = day(tokyo, 2)
    body = {"date": date, "kind": "extra", "start": "09:00", "end": "12:00"}
    assert me.post(URL, body, format="json").status_code == 201
    assert me.post(URL, {**body, "start": "12:00", "end": "13:00"}, "json").status_code == 201
    response = me.post(URL, {**body, "start": "11:00", "end": "12:30"}, format="json")
    assert response.status_code == 400
    assert "Overlaps 09:00-12:00" in response.json()["error"]
    assert AvailabilityOverride.objects.filter(trainer=tokyo).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "day_off"}, "date"),
        ({"date": "2030-02-30", "kind": "day_off"}, "date"),
        ({"date": "tomorrow", "kind": "day_off"}, "date"),
        ({"date": "+1", "kind": "holiday"}, "kind"),
        ({"date": "+1", "kind": "extra", "start": "09:00"}, "end"),
        ({"date": "+1", "kind": "extra", "start": "9am", "end": "10:00"}, "start"),
        ({"date": "+1", "kind": "extra", "start": "10:00", "end": "09:00"}, "end"),
        ({"date": "+1", "kind": "day_off", "start": "10:00", "end": "11:00"}, "kind"),
        ({"date": "-1", "kind": "day_off"}, "date"),
        ({"date": "+400", "kind": "day_off"}, "date"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(as_user, tokyo, body, field):
    if body.get("date", "").startswith(("+", "-")):
        body = {**body, "date": day(tokyo, int(body["date"]))}
    response = as_user(tokyo.user).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert field in response.json()["fields"]
    assert not AvailabilityOverride.objects.exists()


def test_a_date_is_a_day_off_only_once(as_user, tokyo):
    me = as_user(tokyo.user)
    body = {"date": day(tokyo, 1), "kind": "day_off"}
    assert me.post(URL, body, format="json").status_code == 201
    response = me.post(URL, body, format="json")
    assert response.status_code == 400
    assert "already a day off" in response.json()["error"]


def test_today_counts_in_the_trainers_zone_not_the_servers(as_user):
    # Whatever the hour, "today" in Tokyo (UTC+9) and in Honolulu (UTC-10) are different dates
    # for at least part of the day; each trainer may change their own today.
    for tz in ("Asia/Tokyo", "Pacific/Honolulu"):
        trainer = TrainerProfileFactory(timezone=tz)
        body = {"date": local_today(trainer).isoformat(), "kind": "day_off"}
        assert as_user(trainer.user).post(URL, body, format="json").status_code == 201


def test_delete_removes_the_trainers_own_override_only(as_user, tokyo):
    mine = AvailabilityOverride.objects.create(
        trainer=tokyo, date=local_today(tokyo), kind="day_off"
    )
    other = TrainerProfileFactory()
    theirs = AvailabilityOverride.objects.create(
        trainer=other, date=local_today(other), kind="day_off"
    )
    me = as_user(tokyo.user)

    assert me.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert me.delete(f"{URL}{mine.pk}/").status_code == 204
    assert me.delete(f"{URL}{mine.pk}/").status_code == 404
    assert list(AvailabilityOverride.objects.all()) == [theirs]


def test_it_is_for_trainers_only(as_user, api, client_user, admin_user):
    for user in (client_user, admin_user):
        assert as_user(user).get(URL).status_code == 403
    assert api.get(URL).status_code == 401


def test_its_query_count_does_not_grow_with_rows(as_user, tokyo):
    me = as_user(tokyo.user)
    AvailabilityOverride.objects.create(trainer=tokyo, date=local_today(tokyo), kind="day_off")
    with CaptureQueriesContext(connection) as few:
        me.get(URL)
    for days in range(1, 9):
        date = local_today(tokyo) + dt.timedelta(days=days)
        AvailabilityOverride.objects.create(trainer=tokyo, date=date, kind="day_off")
    with CaptureQueriesContext(connection) as many:
        assert len(me.get(URL).json()) == 9
    assert len(many) == len(few)
