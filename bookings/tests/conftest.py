import datetime as dt

import pytest
from django.utils import timezone

URL = "/api/v1/bookings/"


def at(days: int = 2, hour: int = 10, minute: int = 0) -> dt.datetime:
    """UTC `hour:minute` on the day `days` from today: never across midnight, so it always lies
    inside the factory trainer's 00:00-23:59 availability (future() can land on 23:00)."""
    day = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def book(as_user):
    """book(client, trainer, start, duration=60, **extra) -> the POST response."""

    def post(client, trainer, start, duration=60, **extra):
        body = {"trainer_id": trainer.pk, "start_time": iso(start), "duration_minutes": duration}
        return as_user(client).post(URL, {**body, **extra}, format="json")

    return post
