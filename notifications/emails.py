"""What each email says: a context snapshot per kind, and the rendering of a stored notification.

Contexts hold only display-ready strings (amounts already formatted, times already in the
trainer's time zone, absolute URLs), so a notification renders the same on every retry and on
any worker, whatever has happened to the payment since.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from bookings.calendar import CLIENT, TRAINER, ics_attachment, session_event
from bookings.models import Booking
from core.money import format_amount
from core.times import session_times
from notifications.models import EmailNotification

CARD_BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "discover": "Discover",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}


def money(minor: int, currency: str) -> str:
    """7500, "usd" -> "75.00 USD"."""
    return f"{format_amount(minor, currency)} {currency.upper()}"


def absolute_url(name: str, *args) -> str:
    """A link for an email (read outside the site): SITE_URL plus the web page's path."""
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


# The brand colour, the pages' --brand (web/static/web/app.css): header, buttons and links.
BRAND_COLOUR = "#0b5cad"

# A name in a subject or a sentence: first + last can reach 301 characters.
NAME_LENGTH = 80


def shorten(text: str, length: int) -> str:
    """`text` on one line and at most `length` characters, an ellipsis marking a cut."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


def person(user) -> str:
    return shorten(user.get_full_name() or user.email, NAME_LENGTH)


def subject_line(text: str) -> str:
    """A subject that fits its column and an email header: one line, at most 255 characters."""
    return shorten(text, EmailNotification._meta.get_field("subject").max_length)


def session_time(booking, reader) -> str:
    """The session on the trainer's clock, where it takes place, then on the reader's own when
    that reads differently: "Monday 17 March 2025, 14:00-15:00 GMT (Europe/London); your time:
    Tuesday 18 March 2025, 00:00-01:00 AEDT (Australia/Sydney)"."""
    return time_range(booking.trainer.timezone, booking.start_time, booking.end_time, reader)


def time_range(zone: str, start, end, reader) -> str:
    """session_time for any start and end, on the clock of the zone named and the reader's."""
    there, mine = session_times(start, end, zone, reader.timezone)
    return f"{there}; your time: {mine}" if mine else there


def card_description(payment) -> str:
    """ "Visa ending 4242", or "" when Stripe told us nothing about the card."""
    if not payment.card_last4:
        return ""
    brand = CARD_BRANDS.get(payment.card_brand.lower(), payment.card_brand.title() or "Card")
    return f"{brand} ending {payment.card_last4}"


def booking_context(booking, reader) -> dict:
    """What every email about a booking says; times also on `reader`'s clock."""
    return {
        "booking_id": booking.pk,
        "client_name": person(booking.client),
        "trainer_name": person(booking.trainer.user),
        "session_time": session_time(booking, reader),
        "duration_minutes": booking.duration_minutes,
    }


def calendar_context(booking, *, viewer: str, method: str) -> dict:
    """The session's calendar invitation (REQUEST: add or update it, CANCEL: remove it), kept in
    the context so the invitation is the same on every retry."""
    return {"method": method, "events": [session_event(booking, viewer=viewer)]}


def _session_is_on(booking) -> bool:
    return booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def payment_succeeded_context(payment, booking) -> dict:
    context = {
        **booking_context(booking, booking.client),
        "amount": money(payment.amount, payment.currency),
        "card": card_description(payment),
        "receipt_url": payment.receipt_url,
        "payment_id": payment.pk,
        "booking_url": absolute_url("web:booking_detail", booking.pk),
    }
    # A payment that landed after the booking was cancelled is refunded: no invitation then.
    if _session_is_on(booking):
        context["calendar"] = calendar_context(booking, viewer=CLIENT, method="REQUEST")
    return context


def payment_failed_context(payment, booking) -> dict:
    return {
        **booking_context(booking, booking.client),
        "amount": money(payment.amount, payment.currency),
        "card": card_description(payment),
        "reason": payment.failure_message or "Your card issuer declined the payment.",
        "retry_url": absolute_url("web:booking_pay", booking.pk),
    }


def refund_context(refund, payment, booking) -> dict:
    context = {
        **booking_context(booking, booking.client),
        "amount": money(refund.amount, refund.currency),
        "paid_amount": money(payment.amount, payment.currency),
        "card": card_description(payment),
        "reason": refund.reason,
        "refund_id": refund.pk,
    }
    # The refund of a cancelled session also takes it out of the client's calendar.
    if booking.status == Booking.Status.CANCELLED:
        context["calendar"] = calendar_context(booking, viewer=CLIENT, method="CANCEL")
    return context


def trainer_new_booking_context(payment, booking) -> dict:
    return {
        **booking_context(booking, booking.trainer.user),
        "amount": money(payment.amount, payment.currency),
        "platform_fee": money(payment.platform_fee_amount, payment.currency),
        "payout": money(payment.trainer_payout_amount, payment.currency),
        "booking_url": absolute_url("web:booking_detail", booking.pk),
        "calendar": calendar_context(booking, viewer=TRAINER, method="REQUEST"),
    }


def trainer_cancellation_context(booking, payment, refund, refunded_before: int) -> dict:
    """`refunded_before`: what had already gone back to the client before this cancellation."""
    refund_amount = refund.amount if refund is not None else 0
    return {
        **booking_context(booking, booking.trainer.user),
        "cancelled_by": _who_cancelled(booking),
        "reason": booking.cancellation_reason,
        "amount": money(payment.amount, payment.currency),
        "refund": money(refund_amount, payment.currency) if refund_amount else "",
        "payout_before": money(payment.payout_after_refunds(refunded_before), payment.currency),
        "payout_after": money(
            payment.payout_after_refunds(refunded_before + refund_amount), payment.currency
        ),
        "calendar": calendar_context(booking, viewer=TRAINER, method="CANCEL"),
    }


def rescheduled_context(booking, *, previous_start, viewer: str) -> dict:
    """The session's new time and the old one, on the trainer's clock and the reader's."""
    previous_end = previous_start + (booking.end_time - booking.start_time)
    if viewer == TRAINER:
        url, reader = absolute_url("web:trainer_home"), booking.trainer.user
    else:
        url, reader = absolute_url("web:booking_detail", booking.pk), booking.client
    return {
        **booking_context(booking, reader),
        "previous_time": time_range(booking.trainer.timezone, previous_start, previous_end, reader),
        "booking_url": url,
        "calendar": calendar_context(booking, viewer=viewer, method="REQUEST"),
    }


def _who_cancelled(booking) -> str:
    actor = booking.cancelled_by
    if actor is None:
        return "FitConnect"
    if actor.pk == booking.trainer.user_id:
        return "you"
    if actor.pk == booking.client_id:
        return f"your client {person(actor)}"
    return "a FitConnect administrator"


def render(notification: EmailNotification) -> EmailMultiAlternatives:
    """The message for a stored notification: plain text body, HTML alternative, one layout."""
    context = {
        **notification.context,
        "subject": notification.subject,
        "site_url": settings.SITE_URL.rstrip("/"),
        "brand": BRAND_COLOUR,
    }
    template = f"notifications/email/{notification.kind}"
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string(f"{template}.txt", context),
        to=[notification.recipient],
        # Lets a mail server or ESP that sees the same message twice (a task that died between
        # sending and recording it) recognise it.
        headers={"X-FitConnect-Notification": notification.key},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if "calendar" in notification.context:
        # DTSTAMP is when the email was decided on, the same on every retry.
        message.attach(
            ics_attachment(notification.context["calendar"], stamp=notification.created_at)
        )
    return message
