"""Reads on reviews: a trainer's visible reviews, and their count and average for many trainers
at once (as annotations, so a directory of any size costs no query per trainer)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from reviews.models import Review

RATING_PLACES = Decimal("0.01")


def reviews_visible() -> QuerySet[Review]:
    return Review.objects.filter(hidden_at__isnull=True)


def review_list_for_trainer(trainer) -> QuerySet[Review]:
    """The trainer's reviews that count (not hidden), newest first."""
    return (
        reviews_visible()
        .filter(trainer=trainer)
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def _per_trainer(aggregate) -> Subquery:
    return Subquery(
        reviews_visible()
        .filter(trainer=OuterRef("pk"))
        .order_by()
        .values("trainer")
        .annotate(value=aggregate)
        .values("value"),
        output_field=IntegerField(),
    )


def trainer_review_annotations() -> dict:
    """For TrainerProfile.objects.annotate(**...): review_count and rating_sum of visible
    reviews (0 when none). Integers: the average is worked out exactly by trainer_rating."""
    return {
        "review_count": Coalesce(_per_trainer(Count("id")), Value(0)),
        "rating_sum": Coalesce(_per_trainer(Sum("rating")), Value(0)),
    }


def trainer_rating(*, rating_sum: int, review_count: int) -> Decimal | None:
    """The average rating to two places, rounded half up (4.666 -> 4.67); None without reviews."""
    if not review_count:
        return None
    return (Decimal(rating_sum) / review_count).quantize(RATING_PLACES, ROUND_HALF_UP)
