"""Sending trainers' shares to their connected accounts, and taking back what the client got back.

Each Transfer and TransferReversal row is decided under the payment's lock
(payments.apply.transfers), then sent here after commit, outside any lock, with the row's
idempotency key (`transfer:<id>`, `transfer_reversal:<id>`): a retry after a lost answer returns
the transfer Stripe already made instead of paying twice. Stripe's answer is recorded through the
apply layer, under the lock again. A refusal (Stripe answered 4xx) fails the row and alerts a
person; no answer leaves it pending for the task's retry and the sweep.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q

from core.money import format_amount
from payments import stripe_client
from payments.alerts import alert_raise
from payments.apply.transfers import reversal_apply_succeeded, transfer_apply_sent
from payments.commands.retrying import queue, stripe_task
from payments.models import Payment, PaymentAlert, Transfer, TransferReversal

logger = logging.getLogger(__name__)

# Without a broker the task runs right after the commit that asked for it: a second try, no
# backoff; the sweep (transfers_send_due, run by reconciliation) sends what is still waiting.
SEND_EAGER_ATTEMPTS = 2


def _locked(transfer_id: int) -> tuple[Payment, Transfer]:
    """The transfer's payment, then the transfer, locked (the order every writer takes)."""
    payment_id = Transfer.objects.values_list("payment_id", flat=True).get(pk=transfer_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    return payment, Transfer.objects.select_for_update().get(pk=transfer_id)


def transfer_blocked_reason(transfer: Transfer, payment: Payment) -> str:
    """Why a pending transfer cannot be sent now ("" when it can)."""
    trainer = transfer.trainer
    if payment.status == Payment.Status.DISPUTED:
        return "the payment is disputed"
    if not trainer.stripe_account_id:
        return "the trainer has not set up payouts"
    if not trainer.payouts_enabled:
        return "Stripe has not enabled the trainer's payouts yet"
    return ""


def transfer_send(transfer_id: int) -> Transfer:
    """Send a pending transfer if nothing holds it back; returns the row as it ends up.
    Raises StripeOutcomeUnknown when Stripe gave no answer (retry: same key, same transfer)."""
    with transaction.atomic():
        payment, transfer = _locked(transfer_id)
        if transfer.status != Transfer.Status.PENDING:
            return transfer
        blocked = transfer_blocked_reason(transfer, payment)
        if blocked:
            logger.info("Transfer %s waits: %s", transfer.pk, blocked)
            return transfer
        transfer.destination = transfer.trainer.stripe_account_id or ""
        transfer.source_transaction = payment.stripe_charge_id
        transfer.save(update_fields=["destination", "source_transaction", "updated_at"])
    try:
        stripe_transfer = stripe_client.create_transfer(transfer=transfer)
    except stripe_client.StripeOutcomeUnknown:
        raise
    except stripe_client.StripeFailure as e:
        return _transfer_refused(transfer, e)
    with transaction.atomic():
        payment, transfer = _locked(transfer_id)
        transfer_apply_sent(transfer, stripe_transfer.to_dict())
    return transfer


def _transfer_refused(transfer: Transfer, e: stripe_client.StripeFailure) -> Transfer:
    Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.PENDING).update(
        status=Transfer.Status.FAILED, failure_message=e.message[:2000]
    )
    transfer.refresh_from_db()
    alert_raise(
        key=f"transfer_failed:{transfer.pk}",
        kind=PaymentAlert.Kind.TRANSFER_FAILED,
        message=f"Stripe refused transfer {transfer.pk} of "
        f"{format_amount(transfer.amount, transfer.currency)} {transfer.currency.upper()} to "
        f"trainer {transfer.trainer_id} ({e.message}); release it in the admin to send it again.",
        payment=transfer.payment,
    )
    return transfer


def reversal_send(reversal_id: int) -> TransferReversal:
    """Ask Stripe to take a pending reversal back from the trainer's account."""
    reversal = TransferReversal.objects.select_related("transfer").get(pk=reversal_id)
    if reversal.status != TransferReversal.Status.PENDING:
        return reversal
    try:
        stripe_reversal = stripe_client.create_transfer_reversal(reversal=reversal)
    except stripe_client.StripeOutcomeUnknown:
        raise
    except stripe_client.StripeFailure as e:
        TransferReversal.objects.filter(
            pk=reversal.pk, status=TransferReversal.Status.PENDING
        ).update(status=TransferReversal.Status.FAILED, failure_message=e.message[:2000])
        alert_raise(
            key=f"reversal_failed:{reversal.pk}",
            kind=PaymentAlert.Kind.TRANSFER_FAILED,
            message=f"Stripe refused reversal {reversal.pk} of "
            f"{format_amount(reversal.amount, reversal.currency)} "
            f"{reversal.currency.upper()} from transfer {reversal.transfer_id} ({e.message}): "
            "the trainer keeps money the client got back.",
            payment=reversal.transfer.payment,
        )
        reversal.refresh_from_db()
        return reversal
    with transaction.atomic():
        _locked(reversal.transfer_id)
        reversal = TransferReversal.objects.select_for_update().get(pk=reversal_id)
        reversal_apply_succeeded(reversal, stripe_reversal.to_dict())
    return reversal


def payment_transfers_send(payment_id: int) -> None:
    """Send what the payment's transfer is waiting for: the transfer itself, or its reversals."""
    transfer = Transfer.objects.filter(payment_id=payment_id).first()
    if transfer is None:
        return
    if transfer.status == Transfer.Status.PENDING:
        transfer = transfer_send(transfer.pk)
    pending = transfer.reversals.filter(status=TransferReversal.Status.PENDING)
    for reversal_id in pending.order_by("pk").values_list("pk", flat=True):
        reversal_send(reversal_id)


def transfers_waiting(trainer_id: int | None = None):
    """Payments with a transfer ready to go or a reversal pending (the sweep's work)."""
    q = Q(status=Transfer.Status.PENDING) | Q(reversals__status=TransferReversal.Status.PENDING)
    transfers = Transfer.objects.filter(q)
    if trainer_id is not None:
        transfers = transfers.filter(trainer_id=trainer_id)
    return transfers.order_by("pk").values_list("payment_id", flat=True).distinct()


def transfers_send_due(trainer_id: int | None = None) -> int:
    """Send every transfer and reversal waiting (of one trainer: their payouts were just
    enabled). Stripe's trouble is logged and left for the next run; returns the payments tried."""
    tried = 0
    for payment_id in list(transfers_waiting(trainer_id)):
        tried += 1
        try:
            payment_transfers_send(payment_id)
        except stripe_client.StripeFailure as e:
            logger.warning("Transfers of payment %s not sent yet: %s", payment_id, e.message)
    return tried


@stripe_task("payments.transfers.send", retry_on=stripe_client.StripeOutcomeUnknown)
def payment_transfers_send_task(self, payment_id: int) -> None:
    payment_transfers_send(payment_id)


@shared_task(name="payments.transfers.send_due")
def transfers_send_due_task(trainer_id: int | None = None) -> int:
    return transfers_send_due(trainer_id)


def queue_transfers_send(*, payment_id: int | None = None, trainer_id: int | None = None) -> None:
    """Queue the sending (to the broker, or run it here when there is none)."""
    if payment_id is None:
        if transfers_send_due_task.app.conf.task_always_eager:
            transfers_send_due(trainer_id)
        else:
            transfers_send_due_task.delay(trainer_id)
        return
    if not queue(payment_transfers_send_task, payment_id, eager_attempts=SEND_EAGER_ATTEMPTS):
        logger.warning("Transfers of payment %s not sent yet: the sweep will retry", payment_id)


# --- An admin's hold ------------------------------------------------------------------------------
def transfer_hold(transfer_id: int, *, reason: str) -> bool:
    """Keep a transfer that is not sent yet from being sent until someone releases it."""
    with transaction.atomic():
        _payment, transfer = _locked(transfer_id)
        if transfer.status == Transfer.Status.HELD or not transfer.can_move_to(
            Transfer.Status.HELD
        ):
            return False
        transfer.set_status(Transfer.Status.HELD)
        transfer.hold_reason = reason
        transfer.save(update_fields=["status", "hold_reason", "updated_at"])
    logger.info("Transfer %s held: %s", transfer_id, reason)
    return True


def transfer_release(transfer_id: int) -> bool:
    """Release a held transfer (or send a refused one again): it is sent after commit."""
    with transaction.atomic():
        payment, transfer = _locked(transfer_id)
        if transfer.status not in (Transfer.Status.HELD, Transfer.Status.FAILED):
            return False
        transfer.set_status(Transfer.Status.PENDING)
        transfer.hold_reason = ""
        transfer.save(update_fields=["status", "hold_reason", "updated_at"])
        transaction.on_commit(lambda: queue_transfers_send(payment_id=payment.pk), robust=True)
    logger.info("Transfer %s released", transfer_id)
    return True
