"""Reads: a booking's own payment, the refund its cancellation would give, who sees which
payments, a trainer's payouts."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking
from bookings.policy import CancellationQuote, cancellation_quote
from ledger.selectors import trainer_owed
from payments.models import Payment, Transfer
from trainers.models import TrainerProfile


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


# --- A trainer's payouts --------------------------------------------------------------------------
@dataclass(frozen=True)
class UpcomingTransfer:
    """A session whose share is still to be transferred, and when that is expected."""

    booking: Booking
    amount: int
    currency: str
    expected_at: dt.datetime | None  # None: waiting for something else (see `waiting_for`)
    waiting_for: str


@dataclass(frozen=True)
class TrainerPayouts:
    trainer: TrainerProfile
    owed: dict[str, int]  # {currency: what the platform owes the trainer, per the ledger}
    upcoming: list[UpcomingTransfer]
    past: list[Transfer]  # sent, newest first, with their reversals prefetched


def payout_account_status(trainer: TrainerProfile) -> str:
    """not_started, pending (Stripe still needs something, or is checking), enabled."""
    if not trainer.stripe_account_id:
        return "not_started"
    return "enabled" if trainer.payouts_enabled else "pending"


def trainer_payouts(trainer: TrainerProfile, *, now: dt.datetime | None = None) -> TrainerPayouts:
    """What the trainer's payouts page and API show: what is owed, what comes next, what went."""
    now = now or timezone.now()
    grace = dt.timedelta(hours=settings.SESSION_COMPLETION_GRACE_HOURS)
    ready = bool(trainer.stripe_account_id and trainer.payouts_enabled)
    upcoming: list[UpcomingTransfer] = []
    # Sessions not completed yet: transferred once completed, at their end plus the grace.
    not_completed = (
        Payment.live()
        .filter(
            trainer=trainer,
            status__in=(Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED),
            booking__status=Booking.Status.CONFIRMED,
        )
        .select_related("booking")
        .order_by("booking__end_time")
    )
    for payment in not_completed[:100]:
        upcoming.append(
            UpcomingTransfer(
                booking=payment.booking,
                amount=payment.net_trainer_payout,
                currency=payment.currency,
                expected_at=max(payment.booking.end_time + grace, now),
                waiting_for="" if ready else "your payout account",
            )
        )
    waiting = Transfer.objects.filter(trainer=trainer, status__in=Transfer.UNSENT_STATUSES)
    for transfer in waiting.select_related("booking").order_by("created_at")[:100]:
        reason = {
            Transfer.Status.HELD: "a review by FitConnect",
            Transfer.Status.FAILED: "a review by FitConnect",
        }.get(transfer.status, "" if ready else "your payout account")
        upcoming.append(
            UpcomingTransfer(
                booking=transfer.booking,
                amount=transfer.amount,
                currency=transfer.currency,
                expected_at=None if reason else now,
                waiting_for=reason,
            )
        )
    past = list(
        Transfer.objects.filter(trainer=trainer, status=Transfer.Status.SENT)
        .select_related("booking")
        .prefetch_related("reversals")
        .order_by("-sent_at", "-id")[:100]
    )
    return TrainerPayouts(
        trainer=trainer, owed=trainer_owed(trainer.pk), upcoming=upcoming, past=past
    )
