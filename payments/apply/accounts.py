"""Trainers' connected accounts and what Stripe says of them, written to the trainer's profile;
Stripe's transfer and payout events matched to our rows."""

from __future__ import annotations

import logging

from payments import stripe_objects
from payments.alerts import alert_raise
from payments.apply.lookup import ApplyResult, our_id
from payments.apply.transfers import (
    announce_transfers_due,
    reversal_apply_succeeded,
    transfer_apply_sent,
)
from payments.models import Payment, PaymentAlert, Transfer, TransferReversal
from trainers.models import TrainerProfile

logger = logging.getLogger(__name__)

# The requirements a trainer is shown: what is due now, and what is overdue (Stripe has
# disabled something until it is given).
REQUIREMENT_LISTS = ("past_due", "currently_due")


def _flag(obj, name: str) -> bool:
    return stripe_objects.field(obj, name) is True


def account_requirements(account) -> list[str]:
    """Stripe's names of what it still needs ("external_account", "individual.dob.day"), overdue
    first, each once."""
    requirements = stripe_objects.field(account, "requirements")
    found: list[str] = []
    for name in REQUIREMENT_LISTS:
        values = stripe_objects.field(requirements, name)
        for value in values if isinstance(values, list) else []:
            if isinstance(value, str) and len(value) <= 200 and value not in found:
                found.append(value)
    return found[:100]


def trainer_lock_for_account(account) -> TrainerProfile | None:
    """The trainer whose connected account this is, locked; by our stored id, else by the
    trainer id we put in its metadata when the create call's answer was lost."""
    account_id = stripe_objects.text(account, "id")
    qs = TrainerProfile.objects.select_for_update()
    trainer = qs.filter(stripe_account_id=account_id).first() if account_id else None
    if trainer is not None:
        return trainer
    trainer_id = our_id(
        stripe_objects.field(stripe_objects.field(account, "metadata"), "trainer_id")
    )
    if trainer_id and account_id:
        trainer = qs.filter(pk=trainer_id, stripe_account_id__isnull=True).first()
        if trainer is not None:
            trainer.stripe_account_id = account_id
    return trainer


def trainer_apply_account(trainer: TrainerProfile, account) -> bool:
    """Copy the account's state onto the locked trainer profile; True when it changed. A trainer
    whose payouts just became possible gets their waiting transfers sent after commit."""
    requirements = stripe_objects.field(account, "requirements")
    values = {
        "stripe_account_id": stripe_objects.text(account, "id") or trainer.stripe_account_id,
        "charges_enabled": _flag(account, "charges_enabled"),
        "payouts_enabled": _flag(account, "payouts_enabled"),
        "details_submitted": _flag(account, "details_submitted"),
        "payout_requirements": account_requirements(account),
        "payout_disabled_reason": stripe_objects.text(requirements, "disabled_reason", 100),
    }
    changed = [name for name, value in values.items() if getattr(trainer, name) != value]
    if not changed:
        return False
    became_ready = values["payouts_enabled"] and not trainer.payouts_enabled
    for name in changed:
        setattr(trainer, name, values[name])
    trainer.save(update_fields=[*changed, "updated_at"])
    logger.info(
        "Trainer %s payout account %s: payouts %s, %d requirement(s) due",
        trainer.pk,
        trainer.stripe_account_id,
        "enabled" if trainer.payouts_enabled else "disabled",
        len(trainer.payout_requirements),
    )
    if became_ready:
        announce_transfers_due(trainer_id=trainer.pk)
    return True


def apply_account(account: dict, fresh) -> ApplyResult:
    """account.updated. The event's copy may be stale (a later change delivered first), so the
    account as Stripe knows it now (`fresh`, fetched before the transaction) is what is kept."""
    source = fresh if fresh is not None else account
    trainer = trainer_lock_for_account(source)
    if trainer is None:
        logger.info("Stripe account %s matches no trainer: ignored", source.get("id"))
        return ApplyResult(notes=[f"unknown account {source.get('id')}"])
    return ApplyResult(changed=trainer_apply_account(trainer, source))


def _transfer_lock(stripe_transfer: dict) -> Transfer | None:
    """Our Transfer for Stripe's, by its id or the row id in its metadata, with its payment
    locked first (the order every writer of a payment's rows takes), then itself."""
    stripe_id = stripe_objects.text(stripe_transfer, "id")
    row_id = our_id(
        stripe_objects.field(stripe_objects.field(stripe_transfer, "metadata"), "transfer_id")
    )
    found = Transfer.objects.filter(stripe_transfer_id=stripe_id).first() if stripe_id else None
    if found is None and row_id:
        found = Transfer.objects.filter(pk=row_id).first()
        if found is not None and found.stripe_transfer_id not in (None, stripe_id):
            return None  # metadata alone never re-points a row at another transfer
    if found is None:
        return None
    Payment.objects.select_for_update().filter(pk=found.payment_id).first()
    return Transfer.objects.select_for_update().get(pk=found.pk)


def apply_transfer(stripe_transfer: dict, fresh) -> ApplyResult:
    """transfer.created / transfer.updated / transfer.reversed: a transfer whose answer we lost
    is recorded sent; each reversal of ours is recorded succeeded; a reversal nobody asked
    FitConnect for (made in the Dashboard) is for a person to look at."""
    transfer = _transfer_lock(stripe_transfer)
    if transfer is None:
        logger.info("Stripe transfer %s matches no transfer of ours", stripe_transfer.get("id"))
        return ApplyResult(notes=[f"unknown transfer {stripe_transfer.get('id')}"])
    result = ApplyResult(payment=transfer.payment)
    result.changed = transfer_apply_sent(transfer, stripe_transfer)
    reversals = stripe_objects.field(stripe_objects.field(stripe_transfer, "reversals"), "data")
    for stripe_reversal in reversals if isinstance(reversals, list) else []:
        result.changed |= _apply_reversal(transfer, stripe_reversal)
    return result


def _apply_reversal(transfer: Transfer, stripe_reversal) -> bool:
    stripe_id = stripe_objects.text(stripe_reversal, "id")
    row_id = our_id(
        stripe_objects.field(stripe_objects.field(stripe_reversal, "metadata"), "reversal_id")
    )
    rows = transfer.reversals.select_for_update()
    reversal = rows.filter(stripe_reversal_id=stripe_id).first() if stripe_id else None
    if reversal is None and row_id:
        reversal = rows.filter(pk=row_id, stripe_reversal_id__isnull=True).first()
    if reversal is not None:
        return reversal_apply_succeeded(reversal, stripe_reversal)
    if stripe_id and not TransferReversal.objects.filter(stripe_reversal_id=stripe_id).exists():
        alert_raise(
            key=f"foreign_reversal:{stripe_id}",
            kind=PaymentAlert.Kind.TRANSFER_MISMATCH,
            message=f"Transfer {transfer.pk} ({transfer.stripe_transfer_id}) was reversed by "
            f"{stripe_id}, which FitConnect did not ask for: check the trainer's balance.",
            payment=transfer.payment,
            stripe_id=stripe_id,
        )
    return False


def apply_payout(event: dict, fresh) -> ApplyResult:
    """payout.paid / payout.failed of a connected account: the trainer's money reached their
    bank, or did not (then a person helps the trainer fix their bank details)."""
    payout = event["data"]["object"]
    account_id = stripe_objects.text(event, "account")
    trainer = (
        TrainerProfile.objects.filter(stripe_account_id=account_id).first() if account_id else None
    )
    payout_id = stripe_objects.text(payout, "id")
    if event["type"] == "payout.failed" and trainer is not None:
        alert_raise(
            key=f"payout_failed:{payout_id}",
            kind=PaymentAlert.Kind.PAYOUT_FAILED,
            message=f"Payout {payout_id} of trainer {trainer.pk} ({trainer.user.email}) to "
            f"their bank failed ({stripe_objects.text(payout, 'failure_code', 100) or 'no code'})"
            ": ask them to check their bank details in the Stripe dashboard.",
            stripe_id=payout_id,
        )
    logger.info("Payout %s of account %s: %s", payout_id, account_id, event["type"])
    return ApplyResult(notes=[f"{event['type']} {payout_id} of {account_id or 'no account'}"])
