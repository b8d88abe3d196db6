import datetime as dt
import json
from decimal import ROUND_FLOOR, Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.money import SUPPORTED_CURRENCIES, decimals
from reviews.selectors import trainer_review_annotations
from trainers.availability import free_slots, trainer_tz
from trainers.models import AvailabilityOverride, TrainerProfile


def _specialty_q(specialty: str) -> Q:
    # SQLite has no JSON containment lookup; there the stored JSON text is matched instead. Django
    # writes JSON with json.dumps defaults, so the quoted, ASCII-escaped tag is exactly what a
    # stored list holds (quotes included, so "yoga" does not match "power yoga").
    if connection.features.supports_json_field_contains:
        return Q(specialties__contains=[specialty])
    return Q(specialties__icontains=json.dumps(specialty))


def _max_rate_q(max_rate: Decimal) -> Q:
    # Rates are compared in each trainer's own currency (no exchange rates): "80.00" means at most
    # 8000 cents for a usd trainer and at most 80 yen for a jpy one. Floor, so "80.50" never lets
    # an 81-yen rate through.
    q = Q()
    for currency in SUPPORTED_CURRENCIES:
        bound = int(max_rate.scaleb(decimals(currency)).to_integral_value(ROUND_FLOOR))
        q |= Q(currency=currency, hourly_rate__lte=bound)
    return q


def trainer_public_qs() -> QuerySet[TrainerProfile]:
    """Profiles anyone may look at: their user can still log in."""
    return TrainerProfile.objects.filter(user__is_active=True).select_related("user")


def trainer_directory_qs() -> QuerySet[TrainerProfile]:
    """Public profiles with what their cards show: `review_count` and `rating_sum` of their
    visible reviews (subqueries of the same query, so no query per trainer)."""
    return trainer_public_qs().annotate(**trainer_review_annotations())


def trainer_list(
    *, specialty: str | None = None, max_rate: Decimal | None = None, q: str | None = None
) -> QuerySet[TrainerProfile]:
    """Bookable trainers: accepting bookings with a rate set (a fresh sign-up's profile has 0)."""
    qs = trainer_directory_qs().filter(accepting_bookings=True, hourly_rate__gt=0)
    if specialty:
        qs = qs.filter(_specialty_q(specialty.strip().lower()))
    if max_rate is not None:
        qs = qs.filter(_max_rate_q(max_rate))
    for word in (q or "").split():
        qs = qs.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(bio__icontains=word)
            | Q(specialties__icontains=word)
        )
    return qs.order_by("id")


def trainer_slots(*, trainer: TrainerProfile, day: dt.date, duration_minutes: int) -> list[str]:
    """Free start times as ISO 8601 UTC strings ("2026-12-01T14:00:00Z")."""
    return [
        start.strftime("%Y-%m-%dT%H:%M:%SZ") for start in free_slots(trainer, day, duration_minutes)
    ]


def availability_overrides_upcoming(
    *, trainer: TrainerProfile, now: dt.datetime | None = None
) -> QuerySet[AvailabilityOverride]:
    """The trainer's day-offs and extra hours from today (their local date) on, soonest first."""
    today = (now or timezone.now()).astimezone(trainer_tz(trainer)).date()
    return AvailabilityOverride.objects.filter(trainer=trainer, date__gte=today).order_by(
        "date", "kind", "start_time", "id"
    )
