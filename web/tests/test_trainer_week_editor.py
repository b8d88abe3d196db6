"""/trainer/availability/: the week as time pickers, several windows a day, rows added and
removed without JavaScript, checked by the API's rules, in the trainer's own time zone."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest

from core.tests.factories import TrainerProfileFactory
from trainers.availability import free_slots
from trainers.models import AvailabilityWindow
from web.tests.test_form_errors import field_errors

pytestmark = pytest.mark.django_db

URL = "/trainer/availability/"


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory(all_week=False)
    client.force_login(trainer.user)
    return trainer


def saved(trainer):
    return list(trainer.availability.values_list("weekday", "start_time", "end_time"))


def inputs(html: str) -> dict[str, str]:
    """{name: value} of the page's time pickers."""
    found = re.findall(
        r'<input type="time" name="(w\d_\d+_(?:start|end))"(?: value="([^"]*)")?', html
    )
    return dict(found)


def test_it_saves_several_windows_a_day_and_ignores_empty_rows(client, trainer):
    response = client.post(
        URL,
        {
            "w0_0_start": "13:00",
            "w0_0_end": "17:30",
            "w0_1_start": "09:00",
            "w0_1_end": "12:00",
            "w0_2_start": "",  # an empty row
            "w0_2_end": "",
            "w5_0_start": "08:00",
            "w5_0_end": "09:00",
        },
    )
    assert response.status_code == 302
    assert saved(trainer) == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(13), dt.time(17, 30)),
        (5, dt.time(8), dt.time(9)),
    ]
    page = inputs(client.get(URL).content.decode())
    assert (page["w0_0_start"], page["w0_1_end"], page["w5_0_start"]) == ("09:00", "17:30", "08:00")
    assert page["w1_0_start"] == ""  # a day off shows one empty row to fill in


def test_touching_windows_are_fine_and_an_empty_week_clears_it(client, trainer):
    week = {"w2_0_start": "09:00", "w2_0_end": "12:00", "w2_1_start": "12:00", "w2_1_end": "15:00"}
    assert client.post(URL, week).status_code == 302
    assert len(saved(trainer)) == 2
    assert client.post(URL, {"w2_0_start": "", "w2_0_end": ""}).status_code == 302
    assert saved(trainer) == []


def test_add_a_window_shows_one_more_row_and_keeps_what_was_typed(client, trainer):
    response = client.post(URL, {"w3_0_start": "07:00", "w3_0_end": "08:00", "add": "3"})
    assert response.status_code == 200
    page = inputs(response.content.decode())
    assert (page["w3_0_start"], page["w3_0_end"], page["w3_1_start"]) == ("07:00", "08:00", "")
    assert saved(trainer) == []  # adding a row saves nothing


def test_remove_takes_that_row_away_and_keeps_the_others(client, trainer):
    week = {
        "w1_0_start": "06:00",
        "w1_0_end": "07:00",
        "w1_4_start": "10:00",  # row numbers need not follow each other
        "w1_4_end": "11:00",
        "w1_5_start": "not even a time",
        "w1_5_end": "",
    }
    response = client.post(URL, {**week, "remove": "1_5"})
    assert response.status_code == 200
    page = inputs(response.content.decode())
    assert [(k, v) for k, v in page.items() if k.startswith("w1_")] == [
        ("w1_0_start", "06:00"),
        ("w1_0_end", "07:00"),
        ("w1_1_start", "10:00"),
        ("w1_1_end", "11:00"),
    ]
    assert 'class="error"' not in response.content.decode()  # not checked before saving


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("09:00", "24:00", 'Use 24-hour "HH:MM", e.g. "09:30".'),  # within the day
        ("9am", "10:00", 'Use 24-hour "HH:MM", e.g. "09:30".'),
        ("17:00", "17:00", "End must be after start."),
        ("22:00", "02:00", "End must be after start."),  # past midnight: two windows instead
    ],
)
def test_it_refuses_a_window_outside_the_day_or_backwards(client, trainer, start, end, message):
    response = client.post(URL, {"w4_0_start": start, "w4_0_end": end})
    assert response.status_code == 400
    errors = field_errors(response.content.decode()).values()
    assert message in [html.unescape(e) for messages in errors for e in messages]
    assert saved(trainer) == []


def test_a_window_swallowing_two_others_is_an_error_on_each(client, trainer):
    week = {
        "w6_0_start": "08:00",
        "w6_0_end": "18:00",
        "w6_1_start": "09:00",
        "w6_1_end": "10:00",
        "w6_2_start": "12:00",
        "w6_2_end": "13:00",
    }
    response = client.post(URL, week)
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert errors == {
        "w6_1_start": ["Overlaps 08:00-18:00 on Sunday."],
        "w6_2_start": ["Overlaps 08:00-18:00 on Sunday."],
    }


def test_it_refuses_more_than_ten_windows_a_day(client, trainer):
    week = {}
    for n in range(11):
        week[f"w0_{n}_start"], week[f"w0_{n}_end"] = f"{n:02}:00", f"{n:02}:30"
    response = client.post(URL, week)
    assert response.status_code == 400
    assert field_errors(response.content.decode()) == {"w0_0_start": ["At most 10 windows a day."]}
    assert saved(trainer) == []


@pytest.mark.parametrize(
    "zone, utc_hour",
    [("America/New_York", 14), ("Asia/Tokyo", 0)],  # 09:00 there, a winter date
)
def test_a_trainer_edits_the_week_on_their_own_clock(client, zone, utc_hour):
    trainer = TrainerProfileFactory(all_week=False, timezone=zone)
    client.force_login(trainer.user)
    day = dt.date(2031, 1, 13)  # a Monday
    assert client.get(URL).content.decode().count(zone) >= 1
    assert client.post(URL, {"w0_0_start": "09:00", "w0_0_end": "10:00"}).status_code == 302
    assert saved(trainer) == [(0, dt.time(9), dt.time(10))]  # the wall-clock times typed
    now = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    slots = free_slots(trainer, day, 60, now=now)
    local = [s.astimezone(ZoneInfo(zone)) for s in slots]
    assert [(s.hour, s.minute) for s in local] == [(9, 0)]
    assert [s.astimezone(dt.UTC).hour for s in slots] == [utc_hour]


def test_other_trainers_weeks_are_untouched(client, trainer):
    other = TrainerProfileFactory()
    client.post(URL, {"w0_0_start": "09:00", "w0_0_end": "10:00"})
    assert AvailabilityWindow.objects.filter(trainer=other).count() == 7
