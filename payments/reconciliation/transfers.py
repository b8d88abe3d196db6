"""Trainers' transfers against the sessions: every completed session the client still paid for
has exactly one transfer of the trainer's share, and no session that should not has one.
Transfers and reversals still waiting are sent (payments.commands.transfers)."""

from __future__ import annotations

from django.db.models import Q

from core.money import format_amount
from payments.alerts import alert_raise
from payments.apply.transfers import trainer_share
from payments.commands.transfers import transfers_send_due
from payments.models import Payment, PaymentAlert, Transfer
from payments.reconciliation.summary import ReconcileSummary, run_item


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


def check_transfers(summary: ReconcileSummary) -> None:
    """Completed sessions' payments, and every payment with a transfer."""
    completed = Payment.live().filter(
        booking__status="completed", status__in=Payment.COLLECTED_STATUSES
    )
    ids = (
        Payment.objects.filter(Q(pk__in=completed.values("pk")) | Q(transfer__isnull=False))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for payment_id in list(ids):
        payment = Payment.objects.select_related("booking").get(pk=payment_id)
        summary.transfers_checked += 1
        problem = check_payment_transfer(payment)
        if problem:
            summary.changes.append(problem)


def send_waiting(summary: ReconcileSummary) -> None:
    if summary.dry_run:
        return  # a dry run asks Stripe to move nothing
    run_item(summary, "sending waiting transfers", transfers_send_due)
