"""Weekly availability in the trainer's own time zone, and the free slots it leaves.

Windows are wall-clock times ("09:00-17:00 on Mondays") in the trainer's IANA zone, so they mean
the same local hours on both sides of a daylight-saving change: in America/New_York a 09:00 window
starts at 14:00Z in winter and 13:00Z in summer. Every check converts the instant to local time
first and compares wall clocks; nothing adds fixed offsets.
"""

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from trainers.models import AvailabilityWindow, TrainerProfile

SLOT_STEP_MINUTES = 15
UTC = dt.UTC
ONE_SECOND = dt.timedelta(seconds=1)


def trainer_tz(trainer: TrainerProfile) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(trainer.timezone)


def _wall(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _fall_back_inside(
    start: dt.datetime, end: dt.datetime, tz: zoneinfo.ZoneInfo
) -> dt.datetime | None:
    """The instant inside (start, end] where the clock is set back, if there is one.

    Elsewhere the wall clock only moves forward, so checking a session's two ends is enough; when
    it is set back (02:00 EDT -> 01:00 EST) the session also passes wall times earlier than its
    start, which must be inside the window too. Sessions are hours long and changes months apart,
    so there is at most one; it is found by bisection on the UTC offset.
    """
    before = start.astimezone(tz).utcoffset()
    if end.astimezone(tz).utcoffset() >= before:
        return None
    # Offsets change on whole UTC seconds: bisect on those, so the instant found is exact.
    lo, hi = math.floor(start.timestamp()), math.ceil(end.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return dt.datetime.fromtimestamp(hi, UTC)


def _fits(
    windows: Iterable[AvailabilityWindow],
    tz: zoneinfo.ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
) -> bool:
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        return False
    # The lowest and highest wall times the session passes through. `end` itself is excluded
    # ([start, end)), so the clock is read just before it: a session ending at the very instant
    # of a change ends at 02:00 on the old clock, not at 01:00 or 03:00 on the new one.
    last = end - ONE_SECOND
    lowest, highest = _wall(start, tz), _wall(last, tz) + ONE_SECOND
    setback = _fall_back_inside(start, last, tz)
    if setback is not None:
        lowest = min(lowest, _wall(setback, tz))
        highest = max(highest, _wall(setback - ONE_SECOND, tz) + ONE_SECOND)
    day = lowest.date()
    # Windows never cross midnight (end > start within one day), so a session that does cannot
    # lie inside one.
    if highest.date() != day:
        return False
    return any(
        w.weekday == day.weekday()
        and dt.datetime.combine(day, w.start_time) <= lowest
        and highest <= dt.datetime.combine(day, w.end_time)
        for w in windows
    )


def is_within_availability(trainer: TrainerProfile, start: dt.datetime, end: dt.datetime) -> bool:
    """True iff [start, end) (aware datetimes, any zone) lies inside ONE of the trainer's weekly
    windows, compared in the trainer's local wall-clock time.

    Uses `trainer.availability.all()`, so a prefetched trainer costs no query.
    """
    try:
        return _fits(trainer.availability.all(), trainer_tz(trainer), start, end)
    except OverflowError:  # a start near year 1 or 9999 from a caller's input: never available
        return False


def _local_exists(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward gap (02:30 on a US DST start day):
    zoneinfo would silently shift it by an hour, offering a slot the trainer never set."""
    round_trip = local.astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _candidate_starts(
    windows: list[AvailabilityWindow], tz: zoneinfo.ZoneInfo, day: dt.date
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
        # Every wall time up to the window's end is a candidate; whether the session fits is
        # decided on real instants by the caller, because on a DST day the wall clock and elapsed
        # time differ (01:15 EDT + 1 h is 01:15 EST, still inside a 01:00-02:00 window).
        end = dt.datetime.combine(day, window.end_time)
        while naive < end:
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

    # No rate yet (a fresh sign-up): booking_create refuses it, so no slot is offered either.
    if not trainer.accepting_bookings or trainer.hourly_rate <= 0 or duration_minutes <= 0:
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
        for start in _candidate_starts(windows, tz, day)
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
