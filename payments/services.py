"""Writes that move money. Stripe is called outside row locks; our rows are the source of truth."""

from bookings.models import Booking
from payments.models import Payment, Refund


def payment_settle_cancellation(*, booking: Booking, actor, reason: str) -> Refund | None:
    """Settle the money side of a booking that `actor` has just cancelled.

    Called by bookings.services.booking_cancel after the booking is marked cancelled. Unpaid:
    cancels any open PaymentIntent. Paid: refunds what bookings.policy grants. Returns the Refund
    row made (None when nothing was refunded).
    """
    payment = booking.payments.exclude(status=Payment.Status.CANCELED).first()
    if payment is None:
        return None
    raise NotImplementedError("payments: cancellation of a booking with a payment")  # TODO(H3)
