import datetime as dt
import json
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import connection
from django.db.models import (
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import NullIf
from django.utils import timezone

from core.money import CURRENCY_DECIMALS, SUPPORTED_CURRENCIES, decimals
from reviews.selectors import trainer_review_annotations
from trainers.availability import free_slots, free_slots_for_trainers, trainer_tz
from trainers.models import AvailabilityOverride, TrainerProfile


def _json_tag_q(field: str, tag: str) -> Q:
    # SQLite has no JSON containment lookup; there the stored JSON text is matched instead. Django
    # writes JSON with json.dumps defaults, so the quoted, ASCII-escaped tag is exactly what a
    # stored list holds (quotes included, so "yoga" does not match "power yoga").
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field}__contains": [tag]})
    return Q(**{f"{field}__icontains": json.dumps(tag)})


def _rate_q(rate: Decimal, *, at_most: bool) -> Q:
    # Rates are compared in each trainer's own currency (no exchange rates): "80.00" means 8000
    # cents for a usd trainer and 80 yen for a jpy one. A maximum rounds down and a minimum up,
    # so "80.50" never lets an 81-yen rate under a maximum, nor a 80-yen one over a minimum.
    q = Q()
    for currency in SUPPORTED_CURRENCIES:
        exact = rate.scaleb(decimals(currency))
        bound = int(exact.to_integral_value(ROUND_FLOOR if at_most else ROUND_CEILING))
        lookup = "hourly_rate__lte" if at_most else "hourly_rate__gte"
        q |= Q(currency=currency, **{lookup: bound})
    return q


def _price_key():
    """The hourly rate in units of the smallest minor unit of any currency we take: 75.00 usd
    and 75 jpy sort together, as the max_rate filter compares them (no exchange rates)."""
    places = max(CURRENCY_DECIMALS.values())
    return Case(
        *(
            When(currency=c, then=F("hourly_rate") * 10 ** (places - d))
            for c, d in CURRENCY_DECIMALS.items()
            if d != places
        ),
        default=F("hourly_rate"),
        output_field=IntegerField(),
    )


# Average rating in thousandths (4.667 -> 4667), null without reviews: sorts like the average.
_RATING_KEY = F("rating_sum") * 1000 / NullIf(F("review_count"), Value(0))


def trainer_public_qs() -> QuerySet[TrainerProfile]:
    """Profiles anyone may look at: their user can still log in."""
    return TrainerProfile.objects.filter(user__is_active=True).select_related("user")


def trainer_directory_qs() -> QuerySet[TrainerProfile]:
    """Public profiles with what their cards show: `review_count` and `rating_sum` of their
    visible reviews (subqueries of the same query, so no query per trainer)."""
    return trainer_public_qs().annotate(**trainer_review_annotations())


def trainer_list(
    *,
    specialty: str | None = None,
    language: str | None = None,
    min_rate: Decimal | None = None,
    max_rate: Decimal | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> QuerySet[TrainerProfile]:
    """Bookable trainers: accepting bookings with a rate set (a fresh sign-up's profile has 0).

    `sort`: "rating" (highest average first, unrated last, then most reviews), "price" or
    "-price" (see _price_key); otherwise by id. "soonest" needs the free slots: trainer_directory.
    """
    qs = trainer_directory_qs().filter(TrainerProfile.bookable_q())
    if specialty:
        qs = qs.filter(_json_tag_q("specialties", specialty.strip().lower()))
    if language:
        qs = qs.filter(_json_tag_q("languages", language.strip().lower()))
    if min_rate is not None:
        qs = qs.filter(_rate_q(min_rate, at_most=False))
    if max_rate is not None:
        qs = qs.filter(_rate_q(max_rate, at_most=True))
    for word in (q or "").split():
        qs = qs.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(bio__icontains=word)
            | Q(specialties__icontains=word)
        )
    if sort == "rating":
        return qs.order_by(_RATING_KEY.desc(nulls_last=True), "-review_count", "id")
    if sort in ("price", "-price"):
        key = _price_key()
        return qs.order_by(key.desc() if sort == "-price" else key.asc(), "id")
    return qs.order_by("id")


# The directory's "next free time": the first start of an hour-long session in the coming two
# weeks. Longer sessions may find their first slot later; the trainer's page shows every length.
NEXT_FREE_DURATION_MINUTES = 60
NEXT_FREE_DAYS = 14


def trainers_attach_next_free(
    trainers: Iterable[TrainerProfile], *, now: dt.datetime | None = None
) -> list[TrainerProfile]:
    """Set `next_available` (a UTC datetime, or None) on each trainer, in three queries however
    many there are (their weekly windows unless prefetched, their overrides, their bookings)."""
    trainers = list(trainers)
    now = now or timezone.now()
    # Local "today" is yesterday or tomorrow in UTC for some zones: cover both; days before a
    # trainer's own today have no start after `now` and are skipped by the slot rules.
    first = now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range(NEXT_FREE_DAYS + 2)]
    _prefetch_availability(trainers)
    found = free_slots_for_trainers(
        trainers, days, NEXT_FREE_DURATION_MINUTES, now=now, first_only=True
    )
    for trainer in trainers:
        starts = [s for by_day in found[trainer.pk].values() for s in by_day]
        trainer.next_available = min(starts) if starts else None
    return trainers


def _prefetch_availability(trainers: list[TrainerProfile]) -> None:
    prefetch_related_objects(
        [t for t in trainers if "availability" not in getattr(t, "_prefetched_objects_cache", {})],
        "availability",
    )


def trainer_directory(
    *,
    specialty: str | None = None,
    language: str | None = None,
    min_rate: Decimal | None = None,
    max_rate: Decimal | None = None,
    q: str | None = None,
    day: dt.date | None = None,
    sort: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[TrainerProfile] | list[TrainerProfile]:
    """The directory: trainer_list plus what needs free slots.

    Without `day` or sort="soonest" this is trainer_list's queryset, for the caller to paginate
    and then call trainers_attach_next_free on the page. With either, every matching trainer's
    slots are computed (in a fixed number of queries) and a list comes back, `next_available`
    already set: `day` keeps those with a free hour-long slot on that date (their local date),
    "soonest" orders by next_available, trainers with none in two weeks last.
    """
    qs = trainer_list(
        specialty=specialty,
        language=language,
        min_rate=min_rate,
        max_rate=max_rate,
        q=q,
        sort=None if sort == "soonest" else sort,
    )
    if day is None and sort != "soonest":
        return qs
    now = now or timezone.now()
    trainers = trainers_attach_next_free(qs.prefetch_related("availability"), now=now)
    if day is not None:
        free = free_slots_for_trainers(
            trainers, [day], NEXT_FREE_DURATION_MINUTES, now=now, first_only=True
        )
        trainers = [t for t in trainers if free[t.pk][day]]
    if sort == "soonest":
        never = dt.datetime.max.replace(tzinfo=dt.UTC)
        trainers.sort(key=lambda t: (t.next_available or never, t.pk))
    return trainers


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
