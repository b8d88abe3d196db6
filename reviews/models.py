from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel


class Review(TimeStampedModel):
    """A client's rating of one completed, paid session, and the trainer's one reply.

    One per booking (the booking is unique). Staff may hide a review, with a reason kept for the
    record; hidden reviews count nowhere (averages, counts, lists).
    """

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="review"
    )
    # Copies of booking.trainer and booking.client, set once: a trainer's reviews and averages
    # are read without joining their bookings.
    trainer = models.ForeignKey(
        "trainers.TrainerProfile", on_delete=models.PROTECT, related_name="reviews"
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A trainer's visible reviews, newest first, and their count and average.
            models.Index(
                fields=["trainer", "-created_at"],
                condition=Q(hidden_at__isnull=True),
                name="review_trainer_visible",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="review_hidden_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True, reply="")
                | (Q(replied_at__isnull=False) & ~Q(reply="")),
                name="review_reply_with_time",
            ),
        ]

    def __str__(self):
        return f"Review {self.pk}: {self.rating}/5 for booking {self.booking_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
