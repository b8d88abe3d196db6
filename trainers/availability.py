"""Weekly availability in the trainer's own time zone, and the free slots it leaves.

Windows are wall-clock times ("09:00-17:00 on Mondays") in the trainer's IANA zone, so they mean
the same local hours on both sides of a daylight-saving change: in America/New_York a 09:00 window
starts at 14:00Z in winter and 13:00Z in summer. Every check converts the instant to local time
first and compares wall clocks; nothing adds fixed offsets.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from trainers.models import AvailabilityWindow, TrainerProfile

SLOT_STEP_MINUTES = 15
UTC = dt.UTC


def trainer_tz(trainer: TrainerProfile) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(trainer.timezone)


def _fits(
    windows: Iterable[AvailabilityWindow],
    tz: zoneinfo.ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
) -> bool:
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        return False
    local_start = start.astimezone(tz)
    local_end = end.astimezone(tz)
    # Windows never cross midnight (end > start within one day), so a session that does cannot
    # lie inside one.
    if local_start.date() != local_end.date():
        return False
    weekday = local_start.weekday()
    start_t, end_t = local_start.time(), local_end.time()
    return any(
        w.weekday == weekday and w.start_time <= start_t and end_t <= w.end_time for w in windows
    )


def is_within_availability(trainer: TrainerProfile, start: dt.datetime, end: dt.datetime) -> bool:
    """True iff [start, end) (aware datetimes, any zone) lies inside ONE of the trainer's weekly
    windows, compared in the trainer's local wall-clock time.

    Uses `trainer.availability.all()`, so a prefetched trainer costs no query.
    """
    return _fits(trainer.availability.all(), trainer_tz(trainer), start, end)


def _local_exists(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward gap (02:30 on a US DST start day):
    zoneinfo would silently shift it by an hour, offering a slot the trainer never set."""
    round_trip = local.astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _candidate_starts(
    windows: list[AvailabilityWindow], tz: zoneinfo.ZoneInfo, day: dt.date, duration: dt.timedelta
) -> list[dt.datetime]:
    """UTC instants whose local wall time is on the quarter-hour grid of `day` inside a window.

    A wall time repeated by a fall-back change (01:30 twice) is two distinct instants; both are
    offered if they fit. A wall time inside a spring-forward gap does not exist and is skipped.
    """
    starts: set[dt.datetime] = set()
    step = dt.timedelta(minutes=SLOT_STEP_MINUTES)
    for window in windows:
        t = window.start_time
        minutes = t.hour * 60 + t.minute + (1 if t.second or t.microsecond else 0)
        # Round up to the next quarter hour so slots read :00/:15/:30/:45 on the trainer's clock.
        minutes = -(-minutes // SLOT_STEP_MINUTES) * SLOT_STEP_MINUTES
        naive = dt.datetime.combine(day, dt.time.min) + dt.timedelta(minutes=minutes)
        last = dt.datetime.combine(day, window.end_time) - duration
        while naive <= last:
            for fold in (0, 1):
                local = naive.replace(tzinfo=tz, fold=fold)
                if _local_exists(local, tz):
                    starts.add(local.astimezone(UTC))
            naive += step
    return sorted(starts)


def free_slots(
    trainer: TrainerProfile, day: dt.date, duration_minutes: int, now: dt.datetime | None = None
) -> list[dt.datetime]:
    """Bookable UTC start times on `day` (the trainer's local date) for a session of
    `duration_minutes`: on the local quarter-hour grid, inside one availability window, at least
    BOOKING_MIN_NOTICE_MINUTES after `now`, no later than BOOKING_MAX_DAYS_AHEAD, and not
    overlapping a booking that still holds its time (stale unpaid holds count as free).

    Costs two queries whatever the number of slots: the day's windows and the day's bookings.
    """
    # Imported here: bookings imports this module to validate new bookings.
    from bookings.selectors import booking_blocking_qs

    if not trainer.accepting_bookings or duration_minutes <= 0:
        return []
    now = now or timezone.now()
    # Days far outside the bookable range have no slots; skipping them also keeps dates near
    # year 1 or 9999 away from datetime arithmetic that would overflow.
    margin = dt.timedelta(days=1)
    if (
        not (now - margin).date()
        <= day
        <= (now + margin).date() + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
    ):
        return []
    tz = trainer_tz(trainer)
    duration = dt.timedelta(minutes=duration_minutes)
    windows = [w for w in trainer.availability.all() if w.weekday == day.weekday()]
    earliest = now + dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    latest = now + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
    candidates = [
        start
        for start in _candidate_starts(windows, tz, day, duration)
        if earliest <= start <= latest and _fits(windows, tz, start, start + duration)
    ]
    if not candidates:
        return []
    busy = list(
        booking_blocking_qs(
            trainer=trainer, start=candidates[0], end=candidates[-1] + duration, now=now
        ).values_list("start_time", "end_time")
    )
    return [
        start
        for start in candidates
        if not any(b_start < start + duration and b_end > start for b_start, b_end in busy)
    ]
