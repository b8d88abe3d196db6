"""Trainers' transfers against the sessions: every completed session the client still paid for
has exactly one transfer of the trainer's share, and no session that should not has one.
Transfers and reversals still waiting are sent (payments.commands.transfers).

A run checks what changed in the last LOOKBACK (a session completed, a payment refunded or
disputed, a transfer or a reversal moved) and what is still on its way, so its cost follows
recent activity, not the years of sessions behind it: a row that stopped changing was checked
by the runs (every few minutes) of its time. `everything` checks every session ever (manage.py
reconcile_payments --all, after backfill_transfers or a repair by hand).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from core.money import format_amount
from payments.alerts import alert_raise
from payments.apply.transfers import trainer_share
from payments.commands.transfers import transfers_send_due
from payments.models import Payment, PaymentAlert, Transfer, TransferReversal
from payments.reconciliation.summary import ReconcileSummary, run_item

LOOKBACK = dt.timedelta(days=3)


def _alert(key: str, message: str, payment: Payment) -> None:
    alert_raise(
        key=f"transfer_check:{key}",
        kind=PaymentAlert.Kind.TRANSFER_MISMATCH,
        message=message,
        payment=payment,
    )


def transfer_expected(payment: Payment) -> int:
    """What the session's transfer should come to: the trainer's share once its session is
    completed, nothing otherwise."""
    if payment.booking.status != payment.booking.Status.COMPLETED:
        return 0
    return max(trainer_share(payment), 0)


def transfer_moved(transfer: Transfer | None) -> int:
    """What the transfer pays the trainer: its amount (sent or about to be), less what was or
    is being taken back; nothing when canceled."""
    if transfer is None or transfer.status == Transfer.Status.CANCELED:
        return 0
    return transfer.amount - transfer.reversed_amount()


def check_payment_transfer(payment: Payment) -> str:
    """ "" when the payment's transfer is right, else what is wrong (also raised as an alert)."""
    transfer = Transfer.objects.filter(payment=payment).first()
    expected, moved = transfer_expected(payment), transfer_moved(transfer)
    if expected == moved:
        return ""
    money = payment.currency.upper()
    if transfer is None:
        problem = (
            f"Session {payment.booking_id} is completed but has no transfer: the trainer is "
            f"owed {format_amount(expected, payment.currency)} {money}. Run `manage.py "
            "backfill_transfers` to create it (a disputed payment's once the dispute is won)."
        )
    elif expected == 0:
        problem = (
            f"Transfer {transfer.pk} ({transfer.status}) pays "
            f"{format_amount(moved, payment.currency)} {money} for session "
            f"{payment.booking_id}, which should have none (not completed, refunded or lost)."
        )
    else:
        problem = (
            f"Transfer {transfer.pk} ({transfer.status}) pays "
            f"{format_amount(moved, payment.currency)} {money} for session "
            f"{payment.booking_id}; the trainer's share is "
            f"{format_amount(expected, payment.currency)} {money}."
        )
    _alert(f"{payment.pk}:{expected}:{moved}", problem, payment)
    return problem


def payments_to_check(now: dt.datetime, *, everything: bool = False) -> list[int]:
    """The ids of the payments whose transfer a run checks, in order."""
    if everything:
        completed = Payment.live().filter(
            booking__status=Booking.Status.COMPLETED, status__in=Payment.COLLECTED_STATUSES
        )
        ids = Payment.objects.filter(
            Q(pk__in=completed.values("pk")) | Q(transfer__isnull=False)
        ).values_list("pk", flat=True)
        return sorted(ids)
    # Rows are stamped by the real clock: a run acting at a later `now` (tests, demos moving the
    # clock forward) still looks back from the earlier of the two.
    since = min(now, timezone.now()) - LOOKBACK
    completed = Payment.live().filter(
        status__in=Payment.COLLECTED_STATUSES,
        booking__in=Booking.objects.filter(
            status=Booking.Status.COMPLETED, updated_at__gte=since
        ).values("pk"),
    )
    # payment_derive saves the payment after every change of its refunds or its dispute.
    changed = Payment.objects.filter(status__in=Payment.COLLECTED_STATUSES, updated_at__gte=since)
    # Each an OR of two ranges of one (status, updated_at) index: what is still on its way, and
    # what reached its end lately.
    transfers = Transfer.objects.filter(
        Q(status__in=Transfer.UNSENT_STATUSES)
        | Q(status__in=(Transfer.Status.SENT, Transfer.Status.CANCELED), updated_at__gte=since)
    )
    reversals = TransferReversal.objects.filter(
        Q(status__in=(TransferReversal.Status.PENDING, TransferReversal.Status.FAILED))
        | Q(status=TransferReversal.Status.SUCCEEDED, updated_at__gte=since)
    )
    return sorted(
        set(completed.order_by().values_list("pk", flat=True))
        | set(changed.order_by().values_list("pk", flat=True))
        | set(transfers.order_by().values_list("payment_id", flat=True))
        | set(reversals.order_by().values_list("transfer__payment_id", flat=True))
    )


def check_transfers(
    now: dt.datetime, summary: ReconcileSummary, *, everything: bool = False
) -> None:
    """The payments of sessions completed, refunded, disputed or paid out lately, and of
    transfers still on their way (`everything`: of every completed session and every transfer)."""
    for payment_id in payments_to_check(now, everything=everything):
        payment = Payment.objects.select_related("booking").get(pk=payment_id)
        summary.transfers_checked += 1
        problem = check_payment_transfer(payment)
        if problem:
            summary.changes.append(problem)


def send_waiting(summary: ReconcileSummary) -> None:
    if summary.dry_run:
        return  # a dry run asks Stripe to move nothing
    run_item(summary, "sending waiting transfers", transfers_send_due)
