import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.models import TimeStampedModel
from core.money import SUPPORTED_CURRENCIES
from trainers.avatars import initials_avatar
from trainers.choices import LANGUAGES, SPECIALTIES
from trainers.payout_requirements import payout_requirement_labels

# Not zones of a place: the server's own clock and the tz database's placeholder.
_NOT_ZONES = {"localtime", "Factory"}


def validate_timezone(value: str) -> None:
    if value in _NOT_ZONES or value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone name (e.g. 'Europe/London').")


def _validate_tags(value, allowed: dict, what: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{what.capitalize()} must be a list of names.")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}.")


def validate_specialties(value) -> None:
    _validate_tags(value, SPECIALTIES, "specialty")


def validate_languages(value) -> None:
    _validate_tags(value, LANGUAGES, "language")


class TrainerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile"
    )
    # One line under the name on the directory's cards ("Marathon coach, heart-rate based").
    headline = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    # Slugs from trainers.choices.SPECIALTIES ("strength", "yoga"); filtered with a JSON contains
    # lookup.
    specialties = models.JSONField(default=list, blank=True, validators=[validate_specialties])
    # ISO 639-1 codes from trainers.choices.LANGUAGES ("en", "ja").
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    # A square JPEG made by trainers.photos (resized, metadata stripped), kept in the default
    # storage (settings.STORAGES), so a deployer can move photos to object storage by setting.
    photo = models.ImageField(upload_to="trainers/photos/", max_length=200, blank=True)
    # Integer minor units of `currency` per hour (7500 = 75.00).
    hourly_rate = models.PositiveIntegerField(default=0)
    currency = models.CharField(
        max_length=3, default="usd", choices=[(c, c.upper()) for c in SUPPORTED_CURRENCIES]
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    accepting_bookings = models.BooleanField(default=True)
    # The secret in the URL of the trainer's private iCal feed of sessions; null: no feed.
    # Rotating it revokes the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The trainer's connected Stripe account (Express), where their share of each completed
    # session is transferred. The flags and what Stripe still needs are copied from the account
    # by the account.updated webhook (payments.apply.accounts); payouts_enabled decides whether
    # the trainer can be booked while REQUIRE_PAYOUT_ACCOUNT is on.
    stripe_account_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    # Stripe's requirements.currently_due (and past_due): field names like "external_account".
    payout_requirements = models.JSONField(default=list, blank=True)
    payout_disabled_reason = models.CharField(max_length=100, blank=True)
    # An admin holds this trainer's payouts: their sessions' transfers are created held (and
    # wait for a person to release them) instead of being sent.
    payouts_held = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="trainer_rate_non_negative"
            ),
        ]

    def __str__(self):
        return f"Trainer {self.user.email}"

    @property
    def is_bookable(self) -> bool:
        """Accepting bookings with a rate, and (when REQUIRE_PAYOUT_ACCOUNT) able to be paid:
        the directory, the free slots and booking_create all ask this."""
        return (
            self.accepting_bookings
            and self.hourly_rate > 0
            and (self.payouts_enabled or not settings.REQUIRE_PAYOUT_ACCOUNT)
        )

    @classmethod
    def bookable_q(cls) -> models.Q:
        """is_bookable as a filter."""
        q = models.Q(accepting_bookings=True, hourly_rate__gt=0)
        if settings.REQUIRE_PAYOUT_ACCOUNT:
            q &= models.Q(payouts_enabled=True)
        return q

    @property
    def avatar_url(self) -> str:
        """The photo's URL, or a generated initials avatar (an SVG data URI) until there is one."""
        return self.photo.url if self.photo else initials_avatar(self)

    @property
    def payout_requirement_labels(self) -> list[str]:
        """What Stripe still needs before it pays the trainer, in plain words."""
        return payout_requirement_labels(self.payout_requirements)


class AvailabilityWindow(models.Model):
    """A weekly recurring window, in the trainer's own timezone (wall-clock times)."""

    trainer = models.ForeignKey(
        TrainerProfile, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["trainer", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="availability_weekday_range"
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.trainer} {self.weekday} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityOverride(models.Model):
    """One date that differs from the weekly schedule, in the trainer's own time zone.

    A day off takes away that date's weekly windows; extra hours add a window on that date (both
    may be set for one date: off, then only the extra hours count). Like the weekly windows they
    are wall-clock times, so they mean the same hours on a daylight-saving day.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Day off"
        EXTRA = "extra", "Extra hours"

    trainer = models.ForeignKey(
        TrainerProfile, on_delete=models.CASCADE, related_name="availability_overrides"
    )
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trainer", "date", "kind", "start_time"]
        indexes = [
            # Slot computation reads a trainer's overrides for a range of dates.
            models.Index(fields=["trainer", "date"], name="override_trainer_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="day_off", start_time__isnull=True, end_time__isnull=True)
                    | models.Q(kind="extra", end_time__gt=models.F("start_time"))
                ),
                name="override_times_match_kind",
            ),
            models.UniqueConstraint(
                fields=["trainer", "date"],
                condition=models.Q(kind="day_off"),
                name="override_one_day_off_per_date",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.DAY_OFF:
            return f"{self.trainer} {self.date} off"
        return f"{self.trainer} {self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"
