"""A trainer's connected Stripe account: create it, onboard through Stripe's hosted pages, read
its state back, open its Express Dashboard."""

from __future__ import annotations

import logging

from django.db import transaction

from core.errors import Conflict, PaymentServiceError
from payments import stripe_client
from payments.apply.accounts import trainer_apply_account
from trainers.models import TrainerProfile

logger = logging.getLogger(__name__)


def _stripe_error(
    e: stripe_client.StripeFailure, action: str, trainer: TrainerProfile
) -> PaymentServiceError:
    logger.error("Stripe error %s for trainer %s: %s", action, trainer.pk, e.message)
    return PaymentServiceError(f"Payment processing error: {e.message}")


def payout_account_ensure(trainer: TrainerProfile) -> str:
    """The trainer's connected account id, created at Stripe the first time.

    Stripe is called outside any lock; the idempotency key (`trainer:<id>:account`) makes two
    racing requests get the same account, and the conditional UPDATE stores the first answer."""
    if trainer.stripe_account_id:
        return trainer.stripe_account_id
    try:
        account = stripe_client.create_account(trainer=trainer)
    except stripe_client.StripeFailure as e:
        raise _stripe_error(e, "creating the payout account", trainer) from e
    TrainerProfile.objects.filter(pk=trainer.pk, stripe_account_id__isnull=True).update(
        stripe_account_id=account.id
    )
    trainer.refresh_from_db()
    logger.info("Trainer %s has connected account %s", trainer.pk, trainer.stripe_account_id)
    return trainer.stripe_account_id or account.id


def payout_onboarding_url(trainer: TrainerProfile, *, refresh_url: str, return_url: str) -> str:
    """Where the trainer finishes (or continues) onboarding: a fresh Account Link each time,
    since a link is single-use and expires within minutes."""
    account_id = payout_account_ensure(trainer)
    try:
        return stripe_client.create_account_link(
            account_id=account_id, refresh_url=refresh_url, return_url=return_url
        )
    except stripe_client.StripeFailure as e:
        raise _stripe_error(e, "starting onboarding", trainer) from e


def payout_account_sync(trainer: TrainerProfile) -> TrainerProfile:
    """Read the account from Stripe and keep its state on the profile (the return URL does this,
    so the trainer sees the outcome at once; account.updated does it whenever it changes)."""
    if not trainer.stripe_account_id:
        return trainer
    try:
        account = stripe_client.retrieve_account(trainer.stripe_account_id).to_dict()
    except stripe_client.StripeFailure as e:
        logger.warning("Could not read account of trainer %s: %s", trainer.pk, e.message)
        return trainer
    with transaction.atomic():
        locked = TrainerProfile.objects.select_for_update().get(pk=trainer.pk)
        trainer_apply_account(locked, account)
    return locked


def payout_dashboard_url(trainer: TrainerProfile) -> str:
    """A one-time link into the trainer's Express Dashboard (payouts, bank details)."""
    if not trainer.stripe_account_id or not trainer.details_submitted:
        raise Conflict(
            "Finish setting up payouts first: the Stripe dashboard opens once Stripe has your "
            "details."
        )
    try:
        return stripe_client.create_login_link(trainer.stripe_account_id)
    except stripe_client.StripeFailure as e:
        raise _stripe_error(e, "opening the Stripe dashboard", trainer) from e
