"""The cancellation policy: how much of a paid booking goes back when someone cancels.

A pure function of the booking, who cancels and when, so the same numbers are shown before the
user decides (the booking's `cancellation_refund`) and applied when they confirm.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.money import percentage_of


@dataclass(frozen=True)
class CancellationQuote:
    refund_amount: int  # minor units, never more than what is still refundable
    percent: Decimal  # share of the refundable base granted
    rule: str  # the rule that applied, in words a client understands


def cancellation_quote(
    *,
    booking,
    actor,
    paid_amount: int,
    platform_fee_amount: int,
    refundable_amount: int,
    now: dt.datetime | None = None,
) -> CancellationQuote:
    """The refund `actor` would get by cancelling `booking` at `now`.

    paid_amount: what the client paid; platform_fee_amount: the fee on it; refundable_amount:
    what is still refundable (less any refunds already made). Unpaid bookings refund nothing.
    """
    now = now or timezone.now()
    if paid_amount <= 0 or refundable_amount <= 0:
        return CancellationQuote(0, Decimal(0), "Nothing has been paid, so nothing is refunded.")

    if actor.is_staff or booking.trainer.user_id == actor.pk:
        who = "an administrator" if actor.is_staff else "the trainer"
        return CancellationQuote(
            refundable_amount, Decimal(100), f"Cancelled by {who}: the client is refunded in full."
        )

    full_hours = settings.CANCELLATION_FULL_REFUND_HOURS
    if now <= booking.start_time - dt.timedelta(hours=full_hours):
        percent, rule = Decimal(100), f"Cancelled at least {full_hours} hours before the session"
    elif now < booking.start_time:
        percent = settings.CANCELLATION_LATE_REFUND_PERCENT
        rule = f"Cancelled less than {full_hours} hours before the session"
    else:
        return CancellationQuote(
            0, Decimal(0), "The session has already started, so no refund is due."
        )

    base = paid_amount
    if settings.CANCELLATION_PLATFORM_KEEPS_FEE:
        base -= platform_fee_amount
        rule += " (the platform fee is not refundable)"
    # The policy says how much of the payment the client ends up with in total, so refunds made
    # earlier (a trainer's goodwill refund, say) count towards it: a late cancellation after a
    # 50% goodwill refund gives nothing more, and never dips into a fee the platform keeps.
    already_refunded = paid_amount - refundable_amount
    due = max(percentage_of(base, percent) - already_refunded, 0)
    amount = min(due, refundable_amount)
    return CancellationQuote(amount, percent, f"{rule}: {percent.normalize():f}% refund.")
