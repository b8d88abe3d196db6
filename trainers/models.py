import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.models import TimeStampedModel
from core.money import SUPPORTED_CURRENCIES


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not an IANA time zone name (e.g. 'Europe/London').")


class TrainerProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile"
    )
    bio = models.TextField(blank=True)
    # Lower-case tags ("strength", "yoga"); filtered with a JSON contains lookup.
    specialties = models.JSONField(default=list, blank=True)
    # Integer minor units of `currency` per hour (7500 = 75.00).
    hourly_rate = models.PositiveIntegerField(default=0)
    currency = models.CharField(
        max_length=3, default="usd", choices=[(c, c.upper()) for c in SUPPORTED_CURRENCIES]
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    accepting_bookings = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="trainer_rate_non_negative"
            ),
        ]

    def __str__(self):
        return f"Trainer {self.user.email}"


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
