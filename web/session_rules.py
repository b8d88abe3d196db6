"""What a client may do with a session now, in their words: the pages ask these to decide which
buttons to show; the services decide again when the button is pressed."""

from bookings.models import Booking
from payments.selectors import booking_cancellation_preview
from reviews.models import Review


def calendar_ready(booking: Booking) -> bool:
    """A session is in a calendar once it is booked: paid (confirmed), done or cancelled (a
    cancelled file tells the calendar to drop the event)."""
    return booking.status not in (Booking.Status.PENDING, Booking.Status.EXPIRED)


def reschedule_refusal(booking: Booking, user) -> str:
    """Why the client cannot move `booking` now, in their words; "" when they can. The same
    rules as bookings.reschedule (which decides again under its locks)."""
    if booking.status != Booking.Status.CONFIRMED or not booking.is_paid():
        return "Only a paid, upcoming session can be moved."
    quote = booking_cancellation_preview(booking=booking, actor=user)
    if quote.percent < 100:
        return (
            "This session can no longer be moved: a session can be moved only while "
            f"cancelling it would be refunded in full. Now: {quote.rule}"
        )
    return ""


def review_refusal(booking: Booking) -> str:
    """Why the client cannot review `booking`; "" when they can (reviews.services decides)."""
    if booking.status != Booking.Status.COMPLETED:
        return "You can review a session once it has taken place."
    if not booking.is_paid():
        return "Only a paid session can be reviewed."
    if Review.objects.filter(booking=booking).exists():
        return "You have already reviewed this session."
    return ""
