"""A session's time as people read it: on the trainer's wall clock, where it takes place, and on
the viewer's own when that reads differently.

Aware datetimes are formatted here, in Python, never with Django's `date`/`time` template
filters: those first convert their value to the active time zone, so a time put on the trainer's
clock came out on the viewer's (a 08:00 JST session read 23:00 the day before).
"""

import datetime as dt
import zoneinfo

from trainers.choices import timezone_names


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of an IANA name we stored; UTC for an empty one."""
    return zoneinfo.ZoneInfo(name or "UTC")


def is_known_zone(name: str) -> bool:
    return name in timezone_names()


def zone_label(moment: dt.datetime) -> str:
    """ "JST (Asia/Tokyo)"; a zone whose abbreviation is its name stays "UTC"."""
    key = getattr(moment.tzinfo, "key", "UTC")
    abbreviation = moment.tzname() or key
    return abbreviation if abbreviation == key else f"{abbreviation} ({key})"


def day_text(moment: dt.datetime, *, short: bool = False) -> str:
    """ "Monday 15 March 2027", or "Mon 15 Mar" when short."""
    if short:
        return f"{moment:%a} {moment.day} {moment:%b}"
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def span_text(start: dt.datetime, end: dt.datetime, tz: zoneinfo.ZoneInfo, *, short=False) -> str:
    """ "Monday 15 March 2027, 06:00-07:00 EDT (America/New_York)" on `tz`'s clock."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return (
        f"{day_text(local_start, short=short)}, {local_start:%H:%M}-{local_end:%H:%M} "
        f"{zone_label(local_start)}"
    )


def reads_differently(moment: dt.datetime, tz: zoneinfo.ZoneInfo, other: zoneinfo.ZoneInfo):
    """Whether two zones show `moment` on different wall clocks (London and Lisbon do not)."""
    return moment.astimezone(tz).utcoffset() != moment.astimezone(other).utcoffset()


def session_times(
    start: dt.datetime,
    end: dt.datetime,
    trainer_zone: str,
    viewer_zone: str | None = None,
    *,
    short: bool = False,
) -> tuple[str, str]:
    """(the session on the trainer's clock, on the viewer's clock or "" when it reads the same
    there or the viewer's zone is unknown)."""
    there = zone(trainer_zone)
    text = span_text(start, end, there, short=short)
    if not viewer_zone:
        return text, ""
    mine = zone(viewer_zone)
    if not reads_differently(start, there, mine):
        return text, ""
    return text, span_text(start, end, mine, short=short)
