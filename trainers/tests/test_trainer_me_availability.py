import pytest

from trainers.models import AvailabilityWindow
from trainers.tests.helpers import trainer_with

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/availability/"


@pytest.fixture
def coach(db):
    return trainer_with([(0, "09:00", "17:00")])


def windows(trainer):
    return [
        (w.weekday, w.start_time.strftime("%H:%M"), w.end_time.strftime("%H:%M"))
        for w in AvailabilityWindow.objects.filter(trainer=trainer)
    ]


def test_it_lists_the_trainers_windows(as_user, coach):
    response = as_user(coach.user).get(URL)
    assert response.status_code == 200
    assert response.json() == [{"weekday": 0, "start": "09:00", "end": "17:00"}]


def test_put_replaces_every_window(as_user, coach):
    body = [
        {"weekday": 4, "start": "18:00", "end": "20:00"},
        {"weekday": 1, "start": "07:30", "end": "12:00"},
        {"weekday": 1, "start": "12:00", "end": "15:00"},  # touching is not overlapping
    ]
    response = as_user(coach.user).put(URL, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {"weekday": 1, "start": "07:30", "end": "12:00"},
        {"weekday": 1, "start": "12:00", "end": "15:00"},
        {"weekday": 4, "start": "18:00", "end": "20:00"},
    ]
    assert windows(coach) == [(1, "07:30", "12:00"), (1, "12:00", "15:00"), (4, "18:00", "20:00")]


def test_put_with_an_empty_list_clears_availability(as_user, coach):
    assert as_user(coach.user).put(URL, [], format="json").status_code == 200
    assert windows(coach) == []


def test_it_leaves_other_trainers_windows_alone(as_user, coach):
    other = trainer_with([(3, "10:00", "11:00")])
    as_user(coach.user).put(URL, [], format="json")
    assert windows(other) == [(3, "10:00", "11:00")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"weekday": 0, "start": "10:00", "end": "10:00"}], "availability[0].end"),
        ([{"weekday": 0, "start": "12:00", "end": "09:00"}], "availability[0].end"),
        (
            [
                {"weekday": 2, "start": "09:00", "end": "12:00"},
                {"weekday": 2, "start": "11:59", "end": "13:00"},
            ],
            "availability[1]",
        ),
        (
            [
                {"weekday": 2, "start": "08:00", "end": "18:00"},
                {"weekday": 2, "start": "09:00", "end": "10:00"},
                {"weekday": 2, "start": "12:00", "end": "13:00"},
            ],
            "availability[2]",
        ),
        ([{"weekday": 7, "start": "09:00", "end": "10:00"}], "availability[0].weekday"),
        ([{"weekday": -1, "start": "09:00", "end": "10:00"}], "availability[0].weekday"),
        ([{"weekday": "mon", "start": "09:00", "end": "10:00"}], "availability[0].weekday"),
        ([{"weekday": 1, "start": "9:00", "end": "10:00"}], "availability[0].start"),
        ([{"weekday": 1, "start": "09:00", "end": "24:00"}], "availability[0].end"),
        ([{"weekday": 1, "start": "09:00:00", "end": "10:00"}], "availability[0].start"),
        ([{"weekday": 1, "start": "09:00"}], "availability[0].end"),
        (["09:00-10:00"], "availability[0]"),
        ({"weekday": 1, "start": "09:00", "end": "10:00"}, "availability"),
        ([{"weekday": 1, "start": "09:00", "end": "09:15"}] * 71, "availability"),
    ],
)
def test_it_refuses_bad_windows_and_changes_nothing(as_user, coach, body, field):
    response = as_user(coach.user).put(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert field in response.json()["fields"]
    assert windows(coach) == [(0, "09:00", "17:00")]


def test_the_overlap_message_names_the_other_window(as_user, coach):
    body = [
        {"weekday": 2, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "11:00", "end": "13:00"},
    ]
    response = as_user(coach.user).put(URL, body, format="json")
    assert response.json()["fields"]["availability[1]"] == ["Overlaps 09:00-12:00 on Wednesday."]


def test_the_same_hours_on_different_days_do_not_overlap(as_user, coach):
    body = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]
    assert as_user(coach.user).put(URL, body, format="json").status_code == 200
    assert len(windows(coach)) == 7


def test_it_refuses_clients(as_user, client_user, coach):
    assert as_user(client_user).get(URL).status_code == 403
    response = as_user(client_user).put(URL, [], format="json")
    assert response.status_code == 403
    assert windows(coach) == [(0, "09:00", "17:00")]


def test_it_requires_authentication(api):
    assert api.get(URL).status_code == 401
    assert api.put(URL, [], format="json").status_code == 401
