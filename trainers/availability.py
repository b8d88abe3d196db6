"""Availability in the trainer's own time zone, and the free slots it leaves.

A trainer's schedule is weekly windows ("09:00-17:00 on Mondays") changed on given dates by
overrides (a day off, extra hours), all wall-clock times in the trainer's IANA zone, so they mean
the same local hours on both sides of a daylight-saving change: in America/New_York a 09:00
window starts at 14:00Z in winter and 13:00Z in summer. Every check converts the instant to local
time first and compares wall clocks. A fixed offset is added only inside one local day on which
the zone's offset does not change (_steady_offset), where that is the same conversion.
"""

import bisect
import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from bookings.selectors import booking_spans_blocking_for_trainers
from trainers.models import AvailabilityOverride, AvailabilityWindow, TrainerProfile

SLOT_STEP_MINUTES = 15
UTC = dt.UTC
ONE_SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)

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
    return _schedule(
        trainer_tz(trainer),
        _window_rows(trainer),
        [(o.date, o.kind, o.start_time, o.end_time) for o in overrides],
    )


def _window_rows(trainer: TrainerProfile) -> list[tuple[int, dt.time, dt.time]]:
    return [(w.weekday, w.start_time, w.end_time) for w in trainer.availability.all()]


def _schedule(
    tz: zoneinfo.ZoneInfo,
    windows: Iterable[tuple[int, dt.time, dt.time]],
    overrides: Iterable[tuple],
) -> Schedule:
    """A schedule from rows: windows (weekday, start, end), overrides (date, kind, start, end)."""
    weekly: dict[int, list[Window]] = defaultdict(list)
    for weekday, start, end in windows:
        weekly[weekday].append((start, end))
    days_off, extra = set(), defaultdict(list)
    for date, kind, start, end in overrides:
        if kind == AvailabilityOverride.Kind.DAY_OFF:
            days_off.add(date)
        else:
            extra[date].append((start, end))
    return Schedule(tz, dict(weekly), frozenset(days_off), dict(extra))


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


def _steady_offset(tz: zoneinfo.ZoneInfo, day: dt.date) -> dt.timedelta | None:
    """The zone's UTC offset all through local `day`, or None when its clock changes that day.

    Zones change their clock at most once a day (twice a year at most), so the same offset at
    the day's start, noon and end means none changed. On such a day every wall time exists once
    and local time is UTC plus a constant: the slot rules reduce to arithmetic.
    """
    try:
        offsets = {
            dt.datetime.combine(day, t, tz).utcoffset() for t in (dt.time.min, dt.time(12))
        } | {dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz).utcoffset()}
    except OverflowError:  # the last representable day
        return None
    return offsets.pop() if len(offsets) == 1 else None


def _grid_minutes(window_start: dt.time) -> int:
    """The window's first start on the quarter-hour grid, in minutes after midnight."""
    t = window_start
    minutes = t.hour * 60 + t.minute + (1 if t.second or t.microsecond else 0)
    # Round up to the next quarter hour so slots read :00/:15/:30/:45 on the trainer's clock.
    return -(-minutes // SLOT_STEP_MINUTES) * SLOT_STEP_MINUTES


def _grid(windows: list[Window]) -> list[int]:
    """The quarter-hour wall times of the windows, in minutes after midnight, ascending: the
    candidate starts of a day without a clock change (on other days see _candidate_starts)."""
    minutes: set[int] = set()
    for window_start, window_end in windows:
        end = window_end.hour * 60 + window_end.minute
        if window_end.second or window_end.microsecond:
            end += 1  # 10:00:30 still admits a 10:00 start, as _candidate_starts does
        minutes.update(range(_grid_minutes(window_start), end, SLOT_STEP_MINUTES))
    return sorted(minutes)


def _fits_steady(
    windows: list[Window], day: dt.date, offset: dt.timedelta, start: dt.datetime, end: dt.datetime
) -> bool:
    """_fits for a session starting on a day of one `offset`: its wall times are its instants
    plus the offset, and one that ends on another date crosses midnight and fits no window."""
    lowest = (start + offset).replace(tzinfo=None)
    highest = (end + offset).replace(tzinfo=None)
    if highest.date() != day:
        return False
    return any(
        dt.datetime.combine(day, w_start) <= lowest and highest <= dt.datetime.combine(day, w_end)
        for w_start, w_end in windows
    )


class _Busy:
    """A trainer's blocking bookings merged into disjoint sorted intervals, so whether a start is
    taken is a binary search instead of a pass over every booking."""

    def __init__(self, intervals: Iterable[tuple[dt.datetime, dt.datetime]]):
        starts: list[dt.datetime] = []
        ends: list[dt.datetime] = []
        for b_start, b_end in sorted(intervals):
            if ends and b_start <= ends[-1]:
                ends[-1] = max(ends[-1], b_end)
            else:
                starts.append(b_start)
                ends.append(b_end)
        self.starts, self.ends = starts, ends

    def blocked_until(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The end of the busy stretch [start, end) overlaps, or None when it is free. Every
        start before that end overlaps the same stretch: a search may jump to it."""
        k = bisect.bisect_left(self.starts, end) - 1
        if k >= 0 and self.ends[k] > start:
            return self.ends[k]
        return None


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
        minutes = _grid_minutes(window_start)
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
) -> dict[int, dict[dt.date, list[dt.datetime]]]:
    """{trainer id: {local date: free UTC starts}} for many trainers and dates in a fixed number
    of queries: their weekly windows (none when prefetched), the overrides of those dates and
    the bookings that block them.
    """
    now = now or timezone.now()
    result: dict[int, dict[dt.date, list[dt.datetime]]] = {
        t.pk: {day: [] for day in days} for t in trainers
    }
    # No rate yet (a fresh sign-up), or no payout account while one is required: booking_create
    # refuses it, so no slot is offered either.
    bookable = [t for t in trainers if t.is_bookable]
    search = _Search.load([t.pk for t in bookable], days, duration_minutes, now, with_windows=False)
    if search is None:
        return result
    for trainer in bookable:
        schedule = _schedule(
            trainer_tz(trainer), _window_rows(trainer), search.overrides[trainer.pk]
        )
        for day in search.days:
            result[trainer.pk][day] = search.free_starts(trainer.pk, schedule, day)
    return result


def first_free_starts(
    trainer_zones: dict[int, str],
    days: list[dt.date],
    duration_minutes: int,
    now: dt.datetime | None = None,
) -> dict[int, dt.datetime | None]:
    """{trainer id: the first free UTC start on any of `days`, or None}, by the rules of
    free_slots, for trainers given by id and IANA zone (the caller keeps those it may offer:
    TrainerProfile.bookable_q). Three queries however many trainers (windows, overrides,
    bookings), read as plain rows; each trainer's search stops at its first free start.
    """
    now = now or timezone.now()
    found: dict[int, dt.datetime | None] = dict.fromkeys(trainer_zones)
    search = _Search.load(list(trainer_zones), days, duration_minutes, now, with_windows=True)
    if search is None:
        return found
    for trainer_id, zone_name in trainer_zones.items():
        schedule = _schedule(
            zoneinfo.ZoneInfo(zone_name),
            search.windows[trainer_id],
            search.overrides[trainer_id],
        )
        for day in search.days:
            first = search.free_starts(trainer_id, schedule, day, first_only=True)
            if first:
                found[trainer_id] = first[0]
                break
    return found


@dataclass
class _Search:
    """What a slot search over some trainers and local dates reads, loaded in one query each:
    the dates' overrides, the bookings that block them, and (for callers without prefetched
    profiles) the weekly windows, as rows rather than model instances."""

    days: list[dt.date]
    duration: dt.timedelta
    earliest: dt.datetime
    latest: dt.datetime
    overrides: dict[int, list[tuple]]
    busy: dict[int, "_Busy"]
    windows: dict[int, list[tuple[int, dt.time, dt.time]]]
    steady: dict[tuple[str, dt.date], dt.timedelta | None] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        trainer_ids: list[int],
        days: list[dt.date],
        duration_minutes: int,
        now: dt.datetime,
        *,
        with_windows: bool,
    ) -> "_Search | None":
        days = sorted(set(days))
        if not trainer_ids or not days or duration_minutes <= 0:
            return None
        # Days far outside the bookable range have no slots; skipping them also keeps dates
        # near year 1 or 9999 away from datetime arithmetic that would overflow.
        margin = dt.timedelta(days=1)
        lowest = (now - margin).date()
        highest = (now + margin).date() + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)
        days = [day for day in days if lowest <= day <= highest]
        if not days:
            return None
        duration = dt.timedelta(minutes=duration_minutes)
        earliest = now + dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
        latest = now + dt.timedelta(days=settings.BOOKING_MAX_DAYS_AHEAD)

        overrides: dict[int, list[tuple]] = defaultdict(list)
        for row in AvailabilityOverride.objects.filter(
            trainer_id__in=trainer_ids, date__range=(days[0], days[-1])
        ).values_list("trainer_id", "date", "kind", "start_time", "end_time"):
            overrides[row[0]].append(row[1:])
        # Every start on these local dates lies within a day either side of them in UTC.
        start = max(earliest, dt.datetime.combine(days[0], dt.time.min, UTC) - margin)
        end = min(latest, dt.datetime.combine(days[-1], dt.time.max, UTC) + margin) + duration
        intervals: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for trainer_id, b_start, b_end in booking_spans_blocking_for_trainers(
            trainer_ids=trainer_ids, start=start, end=end, now=now
        ):
            intervals[trainer_id].append((b_start, b_end))
        windows: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
        if with_windows:
            for trainer_id, *window in AvailabilityWindow.objects.filter(
                trainer_id__in=trainer_ids
            ).values_list("trainer_id", "weekday", "start_time", "end_time"):
                windows[trainer_id].append(tuple(window))
        busy = defaultdict(lambda: _Busy(()), {t: _Busy(i) for t, i in intervals.items()})
        return cls(days, duration, earliest, latest, overrides, busy, windows)

    def free_starts(
        self, trainer_id: int, schedule: Schedule, day: dt.date, *, first_only: bool = False
    ) -> list[dt.datetime]:
        windows = schedule.windows_on(day)
        if not windows:
            return []
        key = (schedule.tz.key, day)
        if key not in self.steady:
            self.steady[key] = _steady_offset(schedule.tz, day)
        return _free_starts(
            schedule,
            day,
            self.steady[key],
            windows,
            self.busy[trainer_id],
            self.duration,
            self.earliest,
            self.latest,
            first_only,
        )


def _free_starts(
    schedule: Schedule,
    day: dt.date,
    offset: dt.timedelta | None,
    windows: list[Window],
    taken: _Busy,
    duration: dt.timedelta,
    earliest: dt.datetime,
    latest: dt.datetime,
    first_only: bool,
) -> list[dt.datetime]:
    """The day's candidate starts in [earliest, latest] that fit a window and no busy stretch;
    with `first_only` the first of them alone. Starts ascend, so a busy stretch is skipped
    whole: the work grows with the day's windows and busy stretches, not their product.

    On a day of one UTC `offset` the candidates are minutes after local midnight, turned into
    instants only when looked at; on a day with a clock change they are the exact instants of
    _candidate_starts.
    """
    keys: list
    if offset is None:
        keys = _candidate_starts(windows, schedule.tz, day)

        def instant(key):
            return key

        def key_of(moment):
            return moment

    else:
        keys = _grid(windows)
        midnight = dt.datetime.combine(day, dt.time.min, UTC) - offset

        def instant(key):
            return midnight + dt.timedelta(minutes=key)

        def key_of(moment):
            return (moment - midnight) / MINUTE

    free: list[dt.datetime] = []
    i = bisect.bisect_left(keys, key_of(earliest))
    while i < len(keys):
        start = instant(keys[i])
        if start > latest:
            break
        end = start + duration
        blocked_until = taken.blocked_until(start, end)
        if blocked_until is not None:
            i = bisect.bisect_left(keys, key_of(blocked_until), i + 1)
            continue
        if (
            _fits_steady(windows, day, offset, start, end)
            if offset is not None
            else _fits(schedule, start, end)
        ):
            free.append(start)
            if first_only:
                break
        i += 1
    return free
