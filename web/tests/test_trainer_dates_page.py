"""Dates that differ from the week (/trainer/availability/): a day off or extra hours, added with
every mistake shown next to its field, listed from the trainer's today on, removed one by one."""

import datetime as dt
import html
import re
from unittest import mock

import pytest
from django.utils import timezone

from core.tests.factories import ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityOverride

pytestmark = pytest.mark.django_db

PAGE = "/trainer/availability/"
ADD = "/trainer/availability/dates/"
# 20:00 UTC on 10 January 2030: 15:00 that day in New York, already 05:00 on the 11th in Tokyo.
NOW = dt.datetime(2030, 1, 10, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    return trainer


def soon(days=5) -> dt.date:
    return timezone.now().date() + dt.timedelta(days=days)


def add(client, **fields):
    return client.post(ADD, {f"override-{k}": v for k, v in fields.items()})


def errors(response) -> dict[str, list[str]]:
    """{field name: its error sentences}, read from the ids aria-describedby points at."""
    body = response.content.decode()
    found = re.findall(r'<div id="id_([\w-]+)_error">(.*?)</div>', body, flags=re.S)
    return {
        name: [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', text)]
        for name, text in found
    }


def test_it_adds_a_day_off_and_extra_hours(client, trainer):
    assert add(client, date=soon(), kind="day_off", start="10:00").status_code == 302
    assert add(client, date=soon(6), kind="extra", start="18:00", end="20:30").status_code == 302
    rows = AvailabilityOverride.objects.filter(trainer=trainer).order_by("date")
    assert [(o.date, o.kind, o.start_time, o.end_time) for o in rows] == [
        (soon(), "day_off", None, None),  # times left in the boxes are not part of a day off
        (soon(6), "extra", dt.time(18), dt.time(20, 30)),
    ]
    page = client.get(PAGE).content.decode()
    assert f"{soon(6):%A} {soon(6).day} {soon(6):%B %Y}" in page
    assert "extra hours 18:00&ndash;20:30" in page


def test_it_shows_every_mistake_at_once_next_to_its_field(client, trainer):
    response = add(client, date=soon(-3), kind="extra", start="9 oclock")
    assert response.status_code == 400
    assert errors(response) == {
        "override-date": ["This date has already passed in your time zone."],
        "override-start": ['Use 24-hour "HH:MM", e.g. "09:30".'],
        "override-end": ["Extra hours need a start and an end."],
    }
    response = add(client, date=soon(400), kind="extra", start="12:00", end="11:00")
    assert errors(response) == {
        "override-date": ["Dates can be changed at most a year ahead."],
        "override-end": ["End must be after start."],
    }
    response = add(client, date="", kind="sabbatical")
    assert set(errors(response)) == {"override-date", "override-kind"}
    assert not AvailabilityOverride.objects.exists()


def test_the_services_checks_show_on_their_field(client, trainer):
    add(client, date=soon(), kind="day_off")
    add(client, date=soon(), kind="extra", start="10:00", end="12:00")
    second_day_off = add(client, date=soon(), kind="day_off")
    assert second_day_off.status_code == 400
    assert errors(second_day_off) == {"override-date": ["This date is already a day off."]}
    overlap = add(client, date=soon(), kind="extra", start="11:00", end="13:00")
    assert errors(overlap) == {"override-start": ["Overlaps 10:00-12:00 that day."]}
    assert AvailabilityOverride.objects.filter(trainer=trainer).count() == 2


@pytest.mark.parametrize(
    "zone, accepted", [("America/New_York", True), ("Asia/Tokyo", False), ("UTC", True)]
)
def test_today_is_the_trainers_own_date(client, zone, accepted):
    trainer = TrainerProfileFactory(timezone=zone)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        client.force_login(trainer.user)  # a session that has not expired by then
        response = add(client, date="2030-01-10", kind="day_off")
        page = client.get(PAGE).content.decode()
    assert (response.status_code == 302) is accepted
    assert AvailabilityOverride.objects.filter(trainer=trainer).exists() is accepted
    today = "2030-01-11" if zone == "Asia/Tokyo" else "2030-01-10"
    assert f'min="{today}"' in page


def test_it_lists_only_upcoming_dates_and_says_when_there_are_none(client, trainer):
    assert "No dates differ from your week." in client.get(PAGE).content.decode()
    AvailabilityOverride.objects.create(trainer=trainer, date=soon(-2), kind="day_off")
    AvailabilityOverride.objects.create(trainer=trainer, date=soon(2), kind="day_off")
    other = TrainerProfileFactory()
    AvailabilityOverride.objects.create(trainer=other, date=soon(3), kind="day_off")
    page = client.get(PAGE).content.decode()
    assert page.count("/remove/") == 1
    assert f"{soon(2):%A}" in page and "No dates differ" not in page


def test_it_removes_a_date(client, trainer):
    override = AvailabilityOverride.objects.create(trainer=trainer, date=soon(), kind="day_off")
    url = f"/trainer/availability/dates/{override.pk}/remove/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not AvailabilityOverride.objects.exists()


def test_it_checks_ownership(client, trainer):
    theirs = AvailabilityOverride.objects.create(
        trainer=TrainerProfileFactory(), date=soon(), kind="day_off"
    )
    url = f"/trainer/availability/dates/{theirs.pk}/remove/"
    assert client.post(url).status_code == 404
    assert client.post("/trainer/availability/dates/999999/remove/").status_code == 404
    client.force_login(ClientFactory())
    assert client.post(url).status_code == 404
    assert add(client, date=soon(), kind="day_off").status_code == 404
    assert AvailabilityOverride.objects.filter(pk=theirs.pk).exists()
