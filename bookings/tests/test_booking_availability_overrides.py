"""A booking follows the trainer's date overrides: none on a day off, one in extra hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bookings.tests.conftest import at
from trainers.models import AvailabilityOverride
from trainers.tests.helpers import trainer_with

pytestmark = pytest.mark.django_db


def extra(trainer, date, start, end):
    AvailabilityOverride.objects.create(
        trainer=trainer,
        date=date,
        kind="extra",
        start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end),
    )


def test_booking_refuses_a_day_off_and_takes_extra_hours(book, client_user):
    trainer = trainer_with([], tz="America/New_York")
    start = at(days=4, hour=15)  # 10:00 or 11:00 in New York, depending on the season
    local = start.astimezone(ZoneInfo(trainer.timezone))
    extra(trainer, local.date(), "06:00", "20:00")

    assert book(client_user, trainer, start).status_code == 201
    AvailabilityOverride.objects.create(
        trainer=trainer, date=local.date() + dt.timedelta(days=1), kind="day_off"
    )
    extra(trainer, local.date() + dt.timedelta(days=1), "06:00", "07:00")
    response = book(client_user, trainer, start + dt.timedelta(days=1))
    assert response.status_code == 400
    assert "availability" in response.json()["error"]
