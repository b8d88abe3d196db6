"""Writes on reviews: a client rates a completed session once, its trainer replies once, staff
hide (or show again) a review with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import Booking
from core.errors import Conflict
from payments.models import Payment
from reviews.models import Review

MAX_COMMENT_LENGTH = 2000


def _check_reviewable(booking: Booking) -> None:
    """Only a session that took place and was paid for: completed, paid (a partial goodwill
    refund leaves it paid), and not disputed."""
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError("A cancelled session cannot be reviewed.")
    if booking.status != Booking.Status.COMPLETED:
        raise ValidationError("A session can be reviewed once it has been completed.")
    if booking.payment_status == Booking.PaymentStatus.REFUNDED:
        raise ValidationError("A refunded session cannot be reviewed.")
    if booking.payment_status not in (
        Booking.PaymentStatus.PAID,
        Booking.PaymentStatus.PARTIALLY_REFUNDED,
    ):
        raise ValidationError("Only a paid session can be reviewed.")
    if Payment.objects.filter(booking=booking, status=Payment.Status.DISPUTED).exists():
        raise ValidationError("A session whose payment is disputed cannot be reviewed.")


def review_create(*, booking: Booking, client, rating: int, comment: str = "") -> Review:
    """The client's review of their completed, paid session; once per booking.

    PermissionDenied (403) for anyone but the booking's client, ValidationError (400) for a
    session that cannot be reviewed, Conflict (409) for a second review. The booking row is
    locked so the checks and the insert see the same booking (a refund applied meanwhile waits);
    the unique booking column stops a second review even between two requests at once.
    """
    if booking.client_id != client.pk:
        raise PermissionDenied("Only the client of a session can review it.")
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the session from 1 to 5."})
    try:
        with transaction.atomic():
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            _check_reviewable(locked)
            if Review.objects.filter(booking=locked).exists():
                raise Conflict("You have already reviewed this session.")
            return Review.objects.create(
                booking=locked,
                trainer_id=locked.trainer_id,
                client=client,
                rating=rating,
                comment=comment.strip(),
            )
    except IntegrityError:
        raise Conflict("You have already reviewed this session.") from None


def review_reply(*, review: Review, trainer_user, reply: str) -> Review:
    """The trainer's one public answer to a review of their session.

    PermissionDenied (403) for anyone but the session's trainer; Conflict (409) once answered.
    The conditional UPDATE makes the first of two replies at once the only one.
    """
    if review.trainer.user_id != trainer_user.pk:
        raise PermissionDenied("Only the trainer of the session can reply to its review.")
    reply = reply.strip()
    if not reply:
        raise ValidationError({"reply": "Write a reply."})
    updated = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
        reply=reply, replied_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        raise Conflict("You have already replied to this review.")
    review.refresh_from_db()
    return review


def review_hide(*, review: Review, actor, reason: str) -> bool:
    """Staff take a review out of every list and average; the reason stays on the row.
    Returns False when it was already hidden (its first reason is kept)."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can hide reviews.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review is hidden."})
    now = timezone.now()
    return bool(
        Review.objects.filter(pk=review.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by=actor, hidden_reason=reason, updated_at=now
        )
    )


def review_show(*, review: Review, actor) -> bool:
    """Undo review_hide; returns False when it was not hidden."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can show hidden reviews.")
    return bool(
        Review.objects.filter(pk=review.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_by=None, hidden_reason="", updated_at=timezone.now()
        )
    )
