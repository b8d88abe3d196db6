"""The week view of a trainer's free times, on the viewer's clock with the trainer's noted.

Slots are computed per local date of the trainer (trainers.availability) and regrouped here by
the viewer's local date and part of the day. The times are formatted in Python from aware
datetimes (core.times explains why not with Django's filters).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from core.times import reads_differently, zone, zone_label
from trainers.availability import free_slots_by_day
from trainers.models import TrainerProfile

DAYS = 7
PARTS = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))


@dataclass
class Slot:
    start: dt.datetime  # UTC
    label: str  # on the viewer's clock, "09:00"
    trainer_label: str  # on the trainer's, "Tue 23:00 JST", or "" when it reads the same


@dataclass
class Day:
    date: dt.date
    parts: list[tuple[str, list[Slot]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(slots) for _, slots in self.parts)


@dataclass
class Week:
    first: dt.date
    days: list[Day]
    zone_name: str  # the zone the times are shown in
    trainer_zone: str
    previous: dt.date | None
    next: dt.date | None

    @property
    def count(self) -> int:
        return sum(d.count for d in self.days)

    @property
    def first_open(self) -> dt.date | None:
        """The first day with a free time: the one the page shows unfolded."""
        return next((d.date for d in self.days if d.count), None)

    @property
    def in_trainer_zone(self) -> bool:
        return self.zone_name == self.trainer_zone


def viewer_today(viewer_zone: str, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zone(viewer_zone)).date()


def week_bounds(first: dt.date | None, today: dt.date) -> tuple[dt.date, bool]:
    """(the week's first day, whether the one asked for was outside the bookable range)."""
    last = today + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
    if first is None:
        return today, False
    if first < today or first > last:
        return today, True
    return first, False


def _trainer_label(start: dt.datetime, viewer, there) -> str:
    if not reads_differently(start, viewer, there):
        return ""
    mine, theirs = start.astimezone(viewer), start.astimezone(there)
    day = f"{theirs:%a} " if theirs.date() != mine.date() else ""
    return f"{day}{theirs:%H:%M} {zone_label(theirs).split(' ')[0]}"


def week_view(
    trainer: TrainerProfile,
    *,
    first: dt.date,
    viewer_zone: str,
    duration_minutes: int,
    today: dt.date,
    now: dt.datetime | None = None,
) -> Week:
    """The free starts of a `duration_minutes` session in the seven days from `first` (dates on
    the viewer's clock), grouped into morning, afternoon and evening; in three queries."""
    viewer, there = zone(viewer_zone), zone(trainer.timezone)
    begin = dt.datetime.combine(first, dt.time.min, viewer)
    end = dt.datetime.combine(first + dt.timedelta(days=DAYS), dt.time.min, viewer)
    local_first, local_last = begin.astimezone(there).date(), end.astimezone(there).date()
    local_days = [
        local_first + dt.timedelta(days=i) for i in range((local_last - local_first).days + 1)
    ]
    found = free_slots_by_day(trainer, local_days, duration_minutes, now=now)
    by_day: dict[dt.date, list[dt.datetime]] = {}
    for start in sorted(s for starts in found.values() for s in starts):
        if begin <= start < end:
            by_day.setdefault(start.astimezone(viewer).date(), []).append(start)
    days = []
    for i in range(DAYS):
        date = first + dt.timedelta(days=i)
        day = Day(date)
        for name, low, high in PARTS:
            slots = [
                Slot(s, f"{s.astimezone(viewer):%H:%M}", _trainer_label(s, viewer, there))
                for s in by_day.get(date, [])
                if low <= s.astimezone(viewer).hour < high
            ]
            if slots:
                day.parts.append((name, slots))
        days.append(day)
    horizon = today + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
    previous = first - dt.timedelta(days=DAYS)
    following = first + dt.timedelta(days=DAYS)
    return Week(
        first=first,
        days=days,
        zone_name=viewer_zone,
        trainer_zone=trainer.timezone,
        previous=max(previous, today) if first > today else None,
        next=following if following <= horizon else None,
    )
