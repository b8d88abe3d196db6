import datetime as dt
import json
from collections.abc import Iterable, Sequence
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
)
from django.db.models.functions import NullIf
from django.utils import timezone

from core.money import CURRENCY_DECIMALS, SUPPORTED_CURRENCIES, decimals
from reviews.selectors import trainer_review_annotations
from trainers.availability import first_free_starts, free_slots, trainer_tz
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


def trainers_next_free(
    trainer_zones: dict[int, str], *, now: dt.datetime
) -> dict[int, dt.datetime | None]:
    """{trainer id: their next free time, a UTC datetime or None} for bookable trainers given by
    id and IANA zone, in three queries however many there are."""
    # Local "today" is yesterday or tomorrow in UTC for some zones: cover both; days before a
    # trainer's own today have no start after `now` and are skipped by the slot rules.
    first = now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range(NEXT_FREE_DAYS + 2)]
    return first_free_starts(trainer_zones, days, NEXT_FREE_DURATION_MINUTES, now=now)


def trainers_attach_next_free(
    trainers: Iterable[TrainerProfile], *, now: dt.datetime | None = None
) -> list[TrainerProfile]:
    """Set `next_available` (a UTC datetime, or None) on each trainer, in three queries however
    many there are (their weekly windows, their overrides, their bookings)."""
    trainers = list(trainers)
    # No rate yet, or no payout account while one is required: nothing is offered.
    found = trainers_next_free(
        {t.pk: t.timezone for t in trainers if t.is_bookable}, now=now or timezone.now()
    )
    for trainer in trainers:
        trainer.next_available = found.get(trainer.pk)
    return trainers


class RankedTrainers(Sequence):
    """Directory trainers in an order computed from their free times: their ids in that order,
    each page's profiles loaded (with `next_available`) only when sliced, so a page of a large
    directory builds a page of profiles, not all of them."""

    def __init__(
        self,
        qs: QuerySet[TrainerProfile],
        ids: list[int],
        next_free: dict[int, dt.datetime | None] | None,
        now: dt.datetime,
    ):
        self._qs, self._ids, self._next_free, self._now = qs, ids, next_free, now

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._load(self._ids[index])
        return self._load([self._ids[index]])[0]

    def __iter__(self):
        return iter(self._load(self._ids))

    def _load(self, ids: list[int]) -> list[TrainerProfile]:
        by_pk = self._qs.in_bulk(ids)
        trainers = [by_pk[pk] for pk in ids if pk in by_pk]
        if self._next_free is None:
            return trainers_attach_next_free(trainers, now=self._now)
        for trainer in trainers:
            trainer.next_available = self._next_free[trainer.pk]
        return trainers


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
) -> QuerySet[TrainerProfile] | RankedTrainers:
    """The directory: trainer_list plus what needs free slots.

    Without `day` or sort="soonest" this is trainer_list's queryset, for the caller to paginate
    and then call trainers_attach_next_free on the page. With either, every matching trainer's
    free times are searched (in a fixed number of queries, from their ids, zones and schedules
    as rows) and a RankedTrainers comes back, whose pages carry `next_available`: `day` keeps
    those with a free hour-long slot on that date (their local date), "soonest" orders by
    next_available, trainers with none in two weeks last.
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
    # trainer_list keeps bookable trainers only, as first_free_starts expects.
    zones = dict(qs.values_list("pk", "timezone"))
    ids = list(zones)
    if day is not None:
        on_day = first_free_starts(zones, [day], NEXT_FREE_DURATION_MINUTES, now=now)
        ids = [pk for pk in ids if on_day[pk] is not None]
    next_free = None
    if sort == "soonest":
        next_free = trainers_next_free({pk: zones[pk] for pk in ids}, now=now)
        never = dt.datetime.max.replace(tzinfo=dt.UTC)
        ids.sort(key=lambda pk: (next_free[pk] or never, pk))
    return RankedTrainers(qs, ids, next_free, now)


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
