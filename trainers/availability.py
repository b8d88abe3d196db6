"""Availability in the trainer's own time zone, and the free slots it leaves.

A trainer's schedule is weekly windows ("09:00-17:00 on Mondays") changed on given dates by
overrides (a day off, extra hours), all wall-clock times in the trainer's IANA zone, so they mean
the same local hours on both sides of a daylight-saving change: in America/New_York a 09:00
window starts at 14:00Z in winter and 13:00Z in summer. Every check converts the instant to local
time first and compares wall clocks; nothing adds fixed offsets.
"""

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from bookings.selectors import bookings_blocking_for_trainers
from trainers.models import AvailabilityOverride, TrainerProfile

SLOT_STEP_MINUTES = 15
UTC = dt.UTC
ONE_SECOND = dt.timedelta(seconds=1)

Window = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class Schedule:
    """What a trainer offers, date by date: weekly windows changed by the overrides loaded."""

    tz: zoneinfo.ZoneInfo
    weekly: dict[int, list[Window]]
    days_off: frozenset[dt.date] = frozenset()
    extra: dict[dt.date, list[Window]] = field(default_factory=dict)

    def windows_on(self, day: dt.date) -> list[Window]:
        weekly = [] if day in self.days_off else self.weekly.get(day.weekday(), [])
        return [*weekly, *self.extra.get(day, [])]


def schedule_build(
    trainer: TrainerProfile, overrides: Iterable[AvailabilityOverride] = ()
) -> Schedule:
    """The trainer's schedule from their weekly windows (`trainer.availability.all()`: no query
    when prefetched) and the overrides given (those of the dates that will be asked about)."""
    weekly: dict[int, list[Window]] = defaultdict(list)
    for w in trainer.availability.all():
        weekly[w.weekday].append((w.start_time, w.end_time))
    days_off, extra = set(), defaultdict(list)
    for o in overrides:
        if o.kind == AvailabilityOverride.Kind.DAY_OFF:
            days_off.add(o.date)
        else:
            extra[o.date].append((o.start_time, o.end_time))
    return Schedule(trainer_tz(trainer), dict(weekly), frozenset(days_off), dict(extra))


def trainer_schedule(trainer: TrainerProfile, first: dt.date, last: dt.date) -> Schedule:
    """The schedule with the overrides of [first, last] (local dates): one query for them, none
    when the trainer's `availability_overrides` are prefetched."""
    if "availability_overrides" in getattr(trainer, "_prefetched_objects_cache", {}):
        overrides = trainer.availability_overrides.all()
    else:
        overrides = AvailabilityOverride.objects.filter(trainer=trainer, date__range=(first, last))
    return schedule_build(trainer, [o for o in overrides if first <= o.date <= last])


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


def _fits(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> bool:
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        return False
    tz = schedule.tz
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
        dt.datetime.combine(day, w_start) <= lowest and highest <= dt.datetime.combine(day, w_end)
        for w_start, w_end in schedule.windows_on(day)
    )


def is_within_availability(trainer: TrainerProfile, start: dt.datetime, end: dt.datetime) -> bool:
    """True iff [start, end) (aware datetimes, any zone) lies inside ONE window of the trainer's
    schedule for its local date (weekly windows changed by that date's overrides), compared in
    the trainer's local wall-clock time.

    Uses `trainer.availability.all()`, so a prefetched trainer costs one query (its overrides on
    the session's dates) or none when those are prefetched too.
    """
    if timezone.is_naive(start) or timezone.is_naive(end):
        return False
    try:
        tz = trainer_tz(trainer)
        first, last = _wall(start, tz).date(), _wall(end, tz).date()
        return _fits(trainer_schedule(trainer, first, last), start, end)
    except OverflowError:  # a start near year 1 or 9999 from a caller's input: never available
        return False


def _local_exists(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward gap (02:30 on a US DST start day):
    zoneinfo would silently shift it by an hour, offering a slot the trainer never set."""
    round_trip = local.astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _candidate_starts(
    windows: list[Window], tz: zoneinfo.ZoneInfo, day: dt.date
) -> list[dt.datetime]:
    """UTC instants whose local wall time is on the quarter-hour grid of `day` inside a window.

    A wall time repeated by a fall-back change (01:30 twice) is two distinct instants; both are
    offered if they fit. A wall time inside a spring-forward gap does not exist and is skipped.
    """
    starts: set[dt.datetime] = set()
    step = dt.timedelta(minutes=SLOT_STEP_MINUTES)
    for window_start, window_end in windows:
        t = window_start
        minutes = t.hour * 60 + t.minute + (1 if t.second or t.microsecond else 0)
        # Round up to the next quarter hour so slots read :00/:15/:30/:45 on the trainer's clock.
        minutes = -(-minutes // SLOT_STEP_MINUTES) * SLOT_STEP_MINUTES
        naive = dt.datetime.combine(day, dt.time.min) + dt.timedelta(minutes=minutes)
        # Every wall time up to the window's end is a candidate; whether the session fits is
        # decided on real instants by the caller, because on a DST day the wall clock and elapsed
        # time differ (01:15 EDT + 1 h is 01:15 EST, still inside a 01:00-02:00 window).
        end = dt.datetime.combine(day, window_end)
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
    `duration_minutes`: on the local quarter-hour grid, inside one window of that date's schedule
    (weekly windows changed by its overrides), at least BOOKING_MIN_NOTICE_MINUTES after `now`,
    no later than BOOKING_MAX_DAYS_AHEAD, and not overlapping a booking that still holds its time
    (stale unpaid holds count as free).

    Costs three queries whatever the number of slots, fewer with `availability` and
    `availability_overrides` prefetched: the windows, the day's overrides, the day's bookings.
    """
    return free_slots_by_day(trainer, [day], duration_minutes, now=now)[day]


def free_slots_by_day(
    trainer: TrainerProfile,
    days: list[dt.date],
    duration_minutes: int,
    now: dt.datetime | None = None,
) -> dict[dt.date, list[dt.datetime]]:
    """free_slots for several local dates at once (a week view), in the same three queries."""
    found = free_slots_for_trainers([trainer], days, duration_minutes, now=now)
    return found[trainer.pk]


def free_slots_for_trainers(
    trainers: list[TrainerProfile],
    days: list[dt.date],
    duration_minutes: int,
    now: dt.datetime | None = None,
    *,
    first_only: bool = False,
) -> dict[int, dict[dt.date, list[dt.datetime]]]:
    """{trainer id: {local date: free UTC starts}} for many trainers and dates in a fixed number
    of queries: their weekly windows (none when prefetched), the overrides of those dates and
    the bookings that block them. `first_only`: stop at each trainer's first free start (the
    directory's "next free time"), leaving the later dates empty.
    """
    now = now or timezone.now()
    result: dict[int, dict[dt.date, list[dt.datetime]]] = {
        t.pk: {day: [] for day in days} for t in trainers
    }
    days = sorted(set(days))
    # No rate yet (a fresh sign-up), or no payout account while one is required: booking_create
    # refuses it, so no slot is offered either.
    bookable = [t for t in trainers if t.is_bookable]
    if not bookable or not days or duration_minutes <= 0:
        return result
    # Days far outside the bookable range have no slots; skipping them also keeps dates near
    # year 1 or 9999 away from datetime arithmetic that would overflow.
    margin = dt.timedelta(days=1)
    lowest = (now - margin).date()
    highest = (now + margin).date() + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
    days = [day for day in days if lowest <= day <= highest]
    if not days:
        return result
    duration = dt.timedelta(minutes=duration_minutes)
    earliest = now + dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    latest = now + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)

    overrides: dict[int, list[AvailabilityOverride]] = defaultdict(list)
    for o in AvailabilityOverride.objects.filter(
        trainer__in=bookable, date__range=(days[0], days[-1])
    ):
        overrides[o.trainer_id].append(o)
    # Every start on these local dates lies within a day either side of them in UTC.
    window_start = max(earliest, dt.datetime.combine(days[0], dt.time.min, UTC) - margin)
    window_end = min(latest, dt.datetime.combine(days[-1], dt.time.max, UTC) + margin) + duration
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for trainer_id, b_start, b_end in bookings_blocking_for_trainers(
        trainer_ids=[t.pk for t in bookable], start=window_start, end=window_end, now=now
    ).values_list("trainer_id", "start_time", "end_time"):
        busy[trainer_id].append((b_start, b_end))

    for trainer in bookable:
        schedule = schedule_build(trainer, overrides[trainer.pk])
        taken = busy[trainer.pk]
        for day in days:
            free = [
                start
                for start in _candidate_starts(schedule.windows_on(day), schedule.tz, day)
                if earliest <= start <= latest
                and _fits(schedule, start, start + duration)
                and not any(b_s < start + duration and b_e > start for b_s, b_e in taken)
            ]
            if first_only and free:
                result[trainer.pk][day] = free[:1]
                break
            result[trainer.pk][day] = free
    return result
