import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.tests.factories import BookingFactory, TrainerProfileFactory, UserFactory
from trainers.tests.helpers import every_day, trainer_with

pytestmark = pytest.mark.django_db


def url(trainer_id):
    return f"/api/v1/trainers/{trainer_id}/slots/"


@pytest.fixture
def day():
    return (timezone.now() + dt.timedelta(days=3)).date()


def test_it_lists_free_starts_as_utc_iso_strings(api, day):
    trainer = trainer_with(every_day("09:00", "10:30"))
    response = api.get(url(trainer.id), {"date": day.isoformat()})
    assert response.status_code == 200
    d = day.isoformat()
    # Default duration: 60 minutes.
    assert response.json() == [f"{d}T09:00:00Z", f"{d}T09:15:00Z", f"{d}T09:30:00Z"]


def test_it_uses_the_requested_duration(api, day):
    trainer = trainer_with(every_day("09:00", "10:30"))
    response = api.get(url(trainer.id), {"date": day.isoformat(), "duration_minutes": 90})
    assert response.json() == [f"{day.isoformat()}T09:00:00Z"]


def test_it_converts_local_windows_to_utc(api, day):
    trainer = trainer_with(every_day("09:00", "10:00"), tz="Asia/Kolkata")  # UTC+05:30
    response = api.get(url(trainer.id), {"date": day.isoformat()})
    assert response.json() == [f"{day.isoformat()}T03:30:00Z"]


def test_it_leaves_out_booked_time(api, day):
    trainer = trainer_with(every_day("09:00", "11:00"))
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC)
    BookingFactory(trainer=trainer, start_time=start, status=Booking.Status.CONFIRMED)
    response = api.get(url(trainer.id), {"date": day.isoformat()})
    assert response.json() == []


def test_a_past_date_has_no_slots(api):
    trainer = TrainerProfileFactory()
    yesterday = (timezone.now() - dt.timedelta(days=1)).date()
    response = api.get(url(trainer.id), {"date": yesterday.isoformat()})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"date": "tomorrow"},
        {"date": "2026-13-01"},
        {"date": "2026-02-30"},
        {"date": "01/12/2026"},
        {"date": "DAY", "duration_minutes": "abc"},
        {"date": "DAY", "duration_minutes": 15},
        {"date": "DAY", "duration_minutes": 195},
        {"date": "DAY", "duration_minutes": 50},
        {"date": "DAY", "duration_minutes": "60.5"},
    ],
)
def test_it_refuses_bad_query_parameters(api, day, params):
    trainer = TrainerProfileFactory()
    params = {k: day.isoformat() if v == "DAY" else v for k, v in params.items()}
    response = api.get(url(trainer.id), params)
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert response.json()["fields"]


def test_it_answers_404_for_an_unknown_or_deactivated_trainer(api, day):
    assert api.get(url(999999), {"date": day.isoformat()}).status_code == 404
    gone = TrainerProfileFactory(user=UserFactory(role="trainer", is_active=False))
    assert api.get(url(gone.id), {"date": day.isoformat()}).status_code == 404


def test_it_has_no_slots_while_the_trainer_pauses_bookings(api, day):
    trainer = TrainerProfileFactory(accepting_bookings=False)
    assert api.get(url(trainer.id), {"date": day.isoformat()}).json() == []
