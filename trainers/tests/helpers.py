import datetime as dt

from core.tests.factories import TrainerProfileFactory
from trainers.models import AvailabilityWindow

UTC = dt.UTC


def trainer_with(windows, *, tz="UTC", **kwargs):
    """A trainer whose only availability is `windows`: [(weekday, "HH:MM", "HH:MM"), ...]."""
    trainer = TrainerProfileFactory(timezone=tz, all_week=False, **kwargs)
    for weekday, start, end in windows:
        AvailabilityWindow.objects.create(
            trainer=trainer,
            weekday=weekday,
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
        )
    return trainer


def every_day(start, end):
    return [(d, start, end) for d in range(7)]


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)
