"""Reads: a booking's own payment, the refund its cancellation would give, who sees which
payments."""

from django.db.models import QuerySet

from bookings.models import Booking
from bookings.policy import CancellationQuote, cancellation_quote
from payments.models import Payment


def payment_live_for_booking(booking: Booking) -> Payment | None:
    """The booking's own payment (Payment.live(): not canceled, not a late charge being refunded
    in full; at most one, a database constraint)."""
    # Booking lists prefetch `payments`: reading them here keeps a list at a fixed query count.
    if "payments" in getattr(booking, "_prefetched_objects_cache", {}):
        live = [
            p
            for p in booking.payments.all()
            if p.status != Payment.Status.CANCELED and not p.refund_in_full_reason
        ]
        return live[0] if live else None
    return Payment.live().filter(booking=booking).first()


def booking_cancellation_preview(*, booking: Booking, actor, now=None) -> CancellationQuote:
    """The refund `actor` would get by cancelling now (shown before they decide)."""
    payment = payment_live_for_booking(booking)
    collected = payment is not None and payment.status in (
        Payment.Status.SUCCEEDED,
        Payment.Status.PARTIALLY_REFUNDED,
    )
    return cancellation_quote(
        booking=booking,
        actor=actor,
        paid_amount=payment.amount if collected else 0,
        platform_fee_amount=payment.platform_fee_amount if collected else 0,
        # Pending refunds count as granted: one whose Stripe call got no answer may be made.
        refundable_amount=payment.get_refundable_amount() if collected else 0,
        now=now,
    )


def payment_list_for(user) -> QuerySet[Payment]:
    """Clients see what they paid, trainers what they received, and staff with the "view
    payment" permission (superusers have it) everything: is_staff alone opens only the admin."""
    qs = Payment.objects.select_related("booking__client", "booking__trainer__user")
    if user.has_perm("payments.view_payment"):
        return qs
    if user.is_trainer:
        return qs.filter(trainer__user=user)  # the payment's copy of booking.trainer
    return qs.filter(booking__client=user)
