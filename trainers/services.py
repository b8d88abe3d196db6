import datetime as dt
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from trainers.availability import trainer_tz
from trainers.models import AvailabilityOverride, AvailabilityWindow, TrainerProfile
from trainers.photos import PhotoError, photo_prepare
from trainers.validation import override_date_clean

logger = logging.getLogger(__name__)


def trainer_profile_ensure(*, user: User) -> TrainerProfile:
    """The trainer's own profile, created empty if they have none yet (e.g. made in the admin).

    get_or_create is safe under concurrent first requests: the user column is unique, and the
    loser of the race reads the winner's row.
    """
    profile, _ = TrainerProfile.objects.select_related("user").get_or_create(user=user)
    return profile


@transaction.atomic
def trainer_profile_update(*, profile: TrainerProfile, **changes) -> TrainerProfile:
    """Apply validated changes. Name fields live on the user, everything else on the profile."""
    user_fields = [f for f in ("first_name", "last_name") if f in changes]
    for field in user_fields:
        setattr(profile.user, field, changes.pop(field))
    if user_fields:
        profile.user.save(update_fields=user_fields)
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile


def trainer_photo_set(*, profile: TrainerProfile, upload) -> TrainerProfile:
    """Replace the trainer's photo with `upload`, checked and re-encoded by trainers.photos.

    Raises ValidationError {"photo": ...} for a file we refuse; nothing changes then. The new
    file is written under a fresh random name before the row is switched to it, and the old
    one is deleted only once that switch has committed: a page rendered meanwhile never links
    to a missing file, and of two uploads at once the last to commit wins while the other's
    file is removed.
    """
    try:
        content = photo_prepare(upload)
    except PhotoError as e:
        raise ValidationError({"photo": [str(e)]}) from None
    field = profile.photo.field
    name = field.storage.save(
        field.generate_filename(profile, f"{profile.pk}-{secrets.token_hex(8)}.jpg"), content
    )
    try:
        return _photo_switch(profile, name)
    except BaseException:
        _delete_stored(field.storage, name)
        raise


def trainer_photo_remove(*, profile: TrainerProfile) -> TrainerProfile:
    """Back to the initials avatar; the file goes once the change has committed."""
    return _photo_switch(profile, "")


@transaction.atomic
def _photo_switch(profile: TrainerProfile, name: str) -> TrainerProfile:
    locked = TrainerProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    old = locked.photo.name
    locked.photo.name = name
    locked.save(update_fields=["photo", "updated_at"])
    if old and old != name:
        storage = locked.photo.storage
        transaction.on_commit(lambda: _delete_stored(storage, old))
    return locked


def _delete_stored(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file left behind costs storage, not correctness
        logger.exception("Could not delete the trainer photo %s", name)


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def availability_check(windows: list[dict]) -> None:
    """A week of windows makes sense: each ends after it starts, none overlaps another on its
    day. ValidationError keyed by position (availability[i].end, availability[i])."""
    errors: dict[str, list[str]] = {}
    for i, w in enumerate(windows):
        if w["end"] <= w["start"]:
            errors[f"availability[{i}].end"] = ["End must be after start."]
    # Overlaps among the others too, so every mistake is reported at once.
    by_start = sorted(
        (i for i, w in enumerate(windows) if w["end"] > w["start"]),
        key=lambda i: (windows[i]["weekday"], windows[i]["start"]),
    )
    # Compare each window with the latest-ending earlier one of its day, so a long window that
    # swallows several short ones is caught for each of them.
    reach: dict | None = None
    for i in by_start:
        w = windows[i]
        if reach is not None and reach["weekday"] == w["weekday"] and w["start"] < reach["end"]:
            errors[f"availability[{i}]"] = [
                f"Overlaps {_fmt(reach['start'])}-{_fmt(reach['end'])} on "
                f"{WEEKDAYS[reach['weekday']]}."
            ]
        # Touching windows (09:00-12:00, 12:00-15:00) are allowed: start == end is no overlap.
        if reach is None or reach["weekday"] != w["weekday"] or w["end"] > reach["end"]:
            reach = w
    if errors:
        raise ValidationError(errors)


def _fmt(t: dt.time) -> str:
    return t.strftime("%H:%M")


@transaction.atomic
def availability_replace(
    *, trainer: TrainerProfile, windows: list[dict]
) -> list[AvailabilityWindow]:
    """Replace all weekly windows at once. `windows`: [{weekday, start, end}] with start/end as
    times; a window that ends before it starts or overlaps another on the same day is refused
    (ValidationError keyed by the window's position in the request) and nothing changes.

    The profile row is locked first so two concurrent PUTs run one after the other; without it
    both could delete the old windows and both insert, leaving the union of two schedules.
    """
    availability_check(windows)
    TrainerProfile.objects.select_for_update().get(pk=trainer.pk)
    AvailabilityWindow.objects.filter(trainer=trainer).delete()
    return AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            trainer=trainer, weekday=w["weekday"], start_time=w["start"], end_time=w["end"]
        )
        for w in sorted(windows, key=lambda w: (w["weekday"], w["start"]))
    )


MAX_UPCOMING_OVERRIDES = 200


@transaction.atomic
def availability_override_add(
    *,
    trainer: TrainerProfile,
    date: dt.date,
    kind: str,
    start: dt.time | None = None,
    end: dt.time | None = None,
    now: dt.datetime | None = None,
) -> AvailabilityOverride:
    """Make `date` (the trainer's local date) a day off, or add extra hours start-end on it.

    Refused with a ValidationError keyed by field, changing nothing: a date already past in the
    trainer's zone or more than a year ahead, a second day off for one date, extra hours that end
    before they start or overlap other extra hours of that date (touching is fine). Sessions
    already booked on a day made off stay booked: the trainer cancels them if they must.
    The profile row is locked, as for the weekly windows, so two requests cannot both pass the
    overlap check.
    """
    Kind = AvailabilityOverride.Kind
    today = (now or timezone.now()).astimezone(trainer_tz(trainer)).date()
    try:
        override_date_clean(date, today=today)
    except ValidationError as e:
        raise ValidationError({"date": e.messages}) from None
    if kind == Kind.EXTRA and end <= start:
        raise ValidationError({"end": "End must be after start."})
    TrainerProfile.objects.select_for_update().get(pk=trainer.pk)
    same_date = list(AvailabilityOverride.objects.filter(trainer=trainer, date=date))
    if kind == Kind.DAY_OFF and any(o.kind == Kind.DAY_OFF for o in same_date):
        raise ValidationError({"date": "This date is already a day off."})
    for other in same_date if kind == Kind.EXTRA else ():
        if other.kind == Kind.EXTRA and start < other.end_time and other.start_time < end:
            raise ValidationError(
                {"start": f"Overlaps {_fmt(other.start_time)}-{_fmt(other.end_time)} that day."}
            )
    upcoming = AvailabilityOverride.objects.filter(trainer=trainer, date__gte=today).count()
    if upcoming >= MAX_UPCOMING_OVERRIDES:
        raise ValidationError(
            {"date": f"At most {MAX_UPCOMING_OVERRIDES} upcoming changes; remove some first."}
        )
    return AvailabilityOverride.objects.create(
        trainer=trainer, date=date, kind=kind, start_time=start, end_time=end
    )


def availability_override_remove(*, override: AvailabilityOverride) -> None:
    """The date goes back to the weekly schedule (or to its other overrides)."""
    override.delete()


def trainer_calendar_feed_rotate(*, profile: TrainerProfile) -> str:
    """A new secret for the trainer's calendar feed URL; the previous URL stops working."""
    token = secrets.token_urlsafe(32)
    TrainerProfile.objects.filter(pk=profile.pk).update(calendar_token=token)
    profile.calendar_token = token
    return token


def trainer_calendar_feed_revoke(*, profile: TrainerProfile) -> None:
    """No feed any more: its URL answers 404."""
    TrainerProfile.objects.filter(pk=profile.pk).update(calendar_token=None)
    profile.calendar_token = None
