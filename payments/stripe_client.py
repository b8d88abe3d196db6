"""The Stripe boundary: the only module in FitConnect that imports `stripe`.

Everything else calls these small functions and catches our two exceptions (`CardDeclined`,
`StripeUnavailable`) or `InvalidWebhook`, so the SDK can change (or be pointed at the localstripe
emulator through STRIPE_API_BASE) without touching services or views.

Every call that creates or changes money at Stripe carries an idempotency key derived from our own
row (`payment:<id>:intent`, `payment:<id>:cancel`, `refund:<id>`): real Stripe then returns the
first result for a retried request. localstripe ignores these keys, so our database constraints
are what actually make retries safe; the keys are still sent, and a test checks them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, cast

import stripe
from django.conf import settings

from payments.stripe_objects import field

logger = logging.getLogger(__name__)

# The API version our code and the SDK's types (stripe 16.1.0) are written against. Pinned, so a
# change of the account's default version in the Dashboard never changes the shapes we parse.
STRIPE_API_VERSION = "2026-10-28.endive"

# What the emulator and real Stripe may hand back for a PaymentIntent we retrieve: the payment
# method (brand/last4 fallback) and the latest charge (receipt, charge id, card details).
_INTENT_EXPAND = ["payment_method", "latest_charge"]

T = TypeVar("T")


# What this module reads from our rows (payments.models.Payment / Refund). Protocols instead of
# the models keep this module's type check independent of Django's (untyped) model classes.
class PaymentRow(Protocol):
    pk: Any
    booking_id: Any
    amount: int
    currency: str
    stripe_payment_intent_id: str | None


class RefundRow(Protocol):
    pk: Any
    amount: int

    @property
    def payment(self) -> PaymentRow: ...


class TransferRow(Protocol):
    pk: Any
    booking_id: Any
    amount: int
    currency: str
    destination: str
    source_transaction: str


class ReversalRow(Protocol):
    pk: Any
    amount: int

    @property
    def transfer(self) -> Any: ...


class StripeFailure(Exception):
    """Base of our Stripe errors; `message` is safe to show to the caller."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class CardDeclined(StripeFailure):
    """The card was refused (Stripe's CardError): the message is Stripe's, meant for the payer."""


# The codes of Stripe's card errors (type card_error): a payment that kept one was declined, also
# once its attempt is closed for another card; any other failure code is a request Stripe refused.
CARD_ERROR_CODES = frozenset(
    {
        "authentication_required",
        "card_decline_rate_limit_exceeded",
        "card_declined",
        "expired_card",
        "incorrect_cvc",
        "incorrect_number",
        "incorrect_zip",
        "invalid_cvc",
        "invalid_expiry_month",
        "invalid_expiry_year",
        "invalid_number",
        "processing_error",
    }
)


class StripeUnavailable(StripeFailure):
    """Any other Stripe failure: network, authentication, invalid request, Stripe's own 5xx."""


class StripeOutcomeUnknown(StripeUnavailable):
    """No answer we can trust (the connection failed or timed out, or Stripe answered 5xx): the
    request may or may not have been carried out. Retry it with the same idempotency key, or look
    for its result, before deciding it failed."""


class InvalidWebhook(ValueError):
    """A webhook body whose signature is missing, wrong or stale, or that is not an event."""


@functools.cache
def _build_client(api_key: str, api_base: str, max_network_retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        stripe_version=STRIPE_API_VERSION,
        base_addresses={"api": api_base} if api_base else {},
        max_network_retries=max_network_retries,
    )


def get_client() -> stripe.StripeClient:
    """The StripeClient for the current settings (cached per key/base/retries, so tests that
    override the settings get their own client and production builds it once)."""
    return _build_client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE or "",
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def live_mode() -> bool:
    """True when our secret key is a live one (Stripe's objects then say livemode: true)."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def _emulated() -> bool:
    """True when STRIPE_API_BASE points at the localstripe emulator rather than Stripe."""
    base = settings.STRIPE_API_BASE or ""
    return bool(base) and "api.stripe.com" not in base


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Turn the SDK's exceptions into ours, with a message fit for an API response."""
    try:
        yield
    except stripe.CardError as e:
        raise CardDeclined(e.user_message or "Your card was declined.", e.code or "") from e
    except stripe.APIConnectionError as e:
        raise StripeOutcomeUnknown(f"could not reach Stripe to {action}") from e
    except stripe.APIError as e:
        # Stripe's own 5xx: it may have done the work before failing to answer.
        raise StripeOutcomeUnknown(
            e.user_message or f"Stripe failed to {action}", e.code or ""
        ) from e
    except stripe.StripeError as e:
        # user_message is Stripe's human text without the request id; plain-text 5xx bodies
        # (the emulator's "Not implemented") have none, so name the action instead.
        raise StripeUnavailable(e.user_message or f"Stripe failed to {action}", e.code or "") from e


def _call(action: str, fn: Callable[[], T]) -> T:
    with _translated(action):
        return fn()


def _card_only(params: dict[str, Any]) -> dict[str, Any]:
    """Card only. The API version we pin (endive) refuses the old `payment_method_types`
    parameter (400 payment_method_types_no_longer_supported) and wants
    `allowed_payment_method_types` (the Stripe emulator passes it on to localstripe under the
    old name)."""
    return {**params, "allowed_payment_method_types": ["card"]}


def transfer_group(booking_id: Any) -> str:
    """Ties a booking's charge and its transfer together in Stripe's reports."""
    return f"booking_{booking_id}"


# --- PaymentIntents -------------------------------------------------------------------------
def create_payment_intent(*, payment: PaymentRow) -> stripe.PaymentIntent:
    """A card PaymentIntent for `payment`: amount and currency come from our row, never a
    request. The charge stays on the platform (separate charges and transfers); its
    transfer_group names the booking, as the trainer's transfer after the session does."""
    params = cast(
        stripe.params.PaymentIntentCreateParams,
        _card_only(
            {
                "amount": payment.amount,
                "currency": payment.currency,
                "metadata": {"booking_id": str(payment.booking_id), "payment_id": str(payment.pk)},
                "transfer_group": transfer_group(payment.booking_id),
            }
        ),
    )
    return _call(
        "create the payment",
        lambda: get_client().v1.payment_intents.create(
            params, {"idempotency_key": f"payment:{payment.pk}:intent"}
        ),
    )


def list_payment_intents(*, created_gte: int) -> list[stripe.PaymentIntent]:
    """Intents created at or after `created_gte` (Unix time), to find ours by their metadata.

    Stripe's search (`metadata['payment_id']:'42'`) would find one directly, but the emulator
    has no search and refuses a `created` filter on this list: there every intent is listed
    (it keeps only a test's worth) and the caller filters by `created` and metadata itself.
    """
    params: stripe.params.PaymentIntentListParams = {"limit": 100}
    if not _emulated():
        params["created"] = {"gte": created_gte}
    return _call(
        "list payments",
        lambda: list(get_client().v1.payment_intents.list(params).auto_paging_iter()),
    )


def retrieve_payment_intent(intent_id: str) -> stripe.PaymentIntent:
    """The intent as Stripe knows it now, with payment_method and latest_charge expanded."""
    return _call(
        "fetch the payment",
        lambda: get_client().v1.payment_intents.retrieve(intent_id, {"expand": _INTENT_EXPAND}),
    )


def cancel_payment_intent(
    *, payment: PaymentRow, intent_id: str | None = None
) -> stripe.PaymentIntent:
    """Cancel `payment`'s intent; an intent that is already canceled is returned as it is.

    Stripe answers a second cancel with a 400 (real Stripe: payment_intent_unexpected_state, the
    emulator: a bare "Bad request"), so on any invalid-request error we look at the intent: if it
    is canceled we got what we wanted. Any other state (e.g. it succeeded meanwhile) re-raises.
    intent_id: another intent created for this payment by a lost race (an orphan) to cancel; it
    gets its own idempotency key so it never replays the payment's own cancel.
    """
    key = f"payment:{payment.pk}:cancel" + (f":{intent_id}" if intent_id else "")
    intent_id = intent_id or payment.stripe_payment_intent_id or ""
    client = get_client()
    try:
        with _translated("cancel the payment"):
            return client.v1.payment_intents.cancel(intent_id, options={"idempotency_key": key})
    except StripeUnavailable as e:
        if not isinstance(e.__cause__, stripe.InvalidRequestError):
            raise
        intent = retrieve_payment_intent(intent_id)
        if intent.status == "canceled":
            return intent
        raise StripeUnavailable(
            f"the payment cannot be canceled: it is {intent.status}",
            "payment_intent_unexpected_state",
        ) from e


# --- Refunds --------------------------------------------------------------------------------
def create_refund(*, refund: RefundRow) -> stripe.Refund:
    """Refund `refund.amount` of its payment's intent.

    metadata carries our row's id, so a `charge.refunded` webhook that arrives before we stored
    the Stripe id is matched to this row instead of being counted a second time. No `reason`:
    Stripe only accepts three fixed values and the emulator rejects the parameter; our reason
    stays on our row.
    """
    payment = refund.payment
    params: stripe.params.RefundCreateParams = {
        "payment_intent": payment.stripe_payment_intent_id or "",
        "amount": refund.amount,
        "metadata": {"refund_id": str(refund.pk), "payment_id": str(payment.pk)},
    }
    return _call(
        "refund the payment",
        lambda: get_client().v1.refunds.create(params, {"idempotency_key": f"refund:{refund.pk}"}),
    )


def list_refunds(*, payment_intent_id: str) -> list[stripe.Refund]:
    """Every refund of the intent: a charge.refunded event no longer embeds them (API versions
    since 2022-11-15), and the Dashboard may have made some we never asked for."""
    params: stripe.params.RefundListParams = {"payment_intent": payment_intent_id, "limit": 100}
    return _call(
        "list refunds",
        lambda: list(get_client().v1.refunds.list(params).auto_paging_iter()),
    )


# --- Disputes -------------------------------------------------------------------------------
def retrieve_dispute(dispute_id: str) -> stripe.Dispute:
    """The dispute as Stripe knows it now (the emulator has no disputes: tests answer it)."""
    return _call("fetch the dispute", lambda: get_client().v1.disputes.retrieve(dispute_id))


# --- Events and webhooks --------------------------------------------------------------------
def list_events(
    *, created_gte: int, starting_after: str | None = None, limit: int = 100
) -> stripe.ListObject[stripe.Event]:
    """One page of events created at or after `created_gte` (Unix time), newest first."""
    params: stripe.params.EventListParams = {"created": {"gte": created_gte}, "limit": limit}
    if starting_after:
        params["starting_after"] = starting_after
    return _call("list events", lambda: get_client().v1.events.list(params))


def construct_event(payload: bytes, sig_header: str, secret: str | None = None) -> stripe.Event:
    """Verify the signature with `secret` (default STRIPE_WEBHOOK_SECRET; the Connect endpoint
    has its own), with Stripe's default 300 s tolerance."""
    try:
        return get_client().construct_event(
            payload, sig_header, secret or settings.STRIPE_WEBHOOK_SECRET
        )
    except stripe.SignatureVerificationError as e:
        raise InvalidWebhook("Invalid Stripe signature.") from e
    except ValueError as e:  # not JSON, or JSON that is not an event
        raise InvalidWebhook("Invalid webhook payload.") from e


# --- Browser checkout (payments.commands.checkout): customers, SetupIntents, confirming a card
def create_customer(*, user: Any) -> stripe.Customer:
    """The Stripe Customer that keeps a client's saved cards (made when they first save one)."""
    params: stripe.params.CustomerCreateParams = {
        "email": user.email,
        "name": user.get_full_name(),
        "metadata": {"user_id": str(user.pk)},
    }
    return _call(
        "save your card",
        lambda: get_client().v1.customers.create(
            params, {"idempotency_key": f"user:{user.pk}:customer"}
        ),
    )


def create_setup_intent(*, booking_id: int, customer: str | None) -> stripe.SetupIntent:
    """A SetupIntent the browser confirms with the card fields (Stripe.js confirmCardSetup).

    With `customer` the card stays on that Customer (the client agreed to save it); without, it
    is only good for this payment. metadata ties it to the booking, so a card set up for one
    checkout cannot pay another. No idempotency key: every attempt is meant to be a new intent.
    """
    params: dict[str, Any] = {"usage": "on_session", "metadata": {"booking_id": str(booking_id)}}
    if customer:
        params["customer"] = customer
    typed = cast(stripe.params.SetupIntentCreateParams, _card_only(params))
    return _call("prepare the card form", lambda: get_client().v1.setup_intents.create(typed))


def retrieve_setup_intent(setup_intent_id: str) -> stripe.SetupIntent:
    return _call("read the card", lambda: get_client().v1.setup_intents.retrieve(setup_intent_id))


def create_and_confirm_payment_intent(
    *, payment: PaymentRow, payment_method: str, customer: str = ""
) -> stripe.PaymentIntent:
    """Charge `payment` (amount and currency from our row) to `payment_method` in one call.

    One call, not create-then-confirm: the emulator cannot confirm an intent again after a
    decline, so every attempt is its own Payment row and intent. A decline raises CardDeclined
    with `intent_id`: the intent Stripe made for the attempt (real Stripe names it in the error;
    the emulator does not, then it is "").
    """
    params: dict[str, Any] = {
        "amount": payment.amount,
        "currency": payment.currency,
        "payment_method": payment_method,
        "confirm": True,
        "metadata": {"booking_id": str(payment.booking_id), "payment_id": str(payment.pk)},
        "transfer_group": transfer_group(payment.booking_id),
    }
    if customer:
        params["customer"] = customer
    typed = cast(stripe.params.PaymentIntentCreateParams, _card_only(params))
    try:
        return _call(
            "charge your card",
            lambda: get_client().v1.payment_intents.create(
                typed, {"idempotency_key": f"payment:{payment.pk}:intent"}
            ),
        )
    except CardDeclined as e:
        error = getattr(e.__cause__, "error", None)
        e.intent_id = field(field(error, "payment_intent"), "id") or ""  # type: ignore[attr-defined]
        raise


def list_cards(*, customer: str) -> list[stripe.PaymentMethod]:
    """The cards saved on a Customer."""
    params: stripe.params.PaymentMethodListParams = {"customer": customer, "type": "card"}
    return list(
        _call("list your saved cards", lambda: get_client().v1.payment_methods.list(params)).data
    )


def keep_card_on_customer(*, payment_method: str, customer: str) -> None:
    """Make sure a card set up on `customer` is saved there.

    Stripe attaches the card when confirmCardSetup succeeds on a SetupIntent with a customer; the
    emulator does not, so a card is attached here unless it already is.
    """
    client = get_client()
    method = _call("save your card", lambda: client.v1.payment_methods.retrieve(payment_method))
    attached = method.customer if isinstance(method.customer, str) else field(method.customer, "id")
    if attached != customer:
        params: stripe.params.PaymentMethodAttachParams = {"customer": customer}
        _call("save your card", lambda: client.v1.payment_methods.attach(payment_method, params))


# --- Connect: trainers' connected accounts, and transfers of their shares --------------------
def create_account(*, trainer: Any) -> stripe.Account:
    """An Express account for the trainer: in the pinned API version that is a `controller`
    with the Express Dashboard, Stripe collecting what it needs, and the platform paying Stripe's
    fees and bearing negative balances. Only the transfers capability: the client pays the
    platform, and the platform transfers the trainer's share (separate charges and transfers)."""
    params: stripe.params.AccountCreateParams = {
        "controller": {
            "fees": {"payer": "application"},
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": "express"},
        },
        "capabilities": {"transfers": {"requested": True}},
        "email": trainer.user.email,
        "metadata": {"trainer_id": str(trainer.pk)},
    }
    return _call(
        "create your payout account",
        lambda: get_client().v1.accounts.create(
            params, {"idempotency_key": f"trainer:{trainer.pk}:account"}
        ),
    )


def retrieve_account(account_id: str) -> stripe.Account:
    return _call("read the payout account", lambda: get_client().v1.accounts.retrieve(account_id))


def create_account_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """The URL of Stripe's hosted onboarding for the account (single use, expires in minutes:
    `refresh_url` is where Stripe sends a trainer whose link expired, to get a new one)."""
    params: stripe.params.AccountLinkCreateParams = {
        "account": account_id,
        "type": "account_onboarding",
        "refresh_url": refresh_url,
        "return_url": return_url,
    }
    link = _call("start onboarding", lambda: get_client().v1.account_links.create(params))
    return link.url


def create_login_link(account_id: str) -> str:
    """A one-time URL into the account's Express Dashboard."""
    link = _call(
        "open the Stripe dashboard",
        lambda: get_client().v1.accounts.login_links.create(account_id),
    )
    return link.url


def create_transfer(*, transfer: TransferRow) -> stripe.Transfer:
    """Send `transfer.amount` of the platform's balance to the trainer's connected account.

    `source_transaction` is the session's charge: the transfer is funded from that charge's
    funds and never waits for the platform's available balance (Stripe pays it out when the
    charge's funds settle). The idempotency key is our row's: a retry after a lost answer
    returns the first transfer instead of paying twice.
    """
    params: stripe.params.TransferCreateParams = {
        "amount": transfer.amount,
        "currency": transfer.currency,
        "destination": transfer.destination,
        "transfer_group": transfer_group(transfer.booking_id),
        "metadata": {"transfer_id": str(transfer.pk), "booking_id": str(transfer.booking_id)},
    }
    if transfer.source_transaction:
        params["source_transaction"] = transfer.source_transaction
    return _call(
        "send the trainer's payout",
        lambda: get_client().v1.transfers.create(
            params, {"idempotency_key": f"transfer:{transfer.pk}"}
        ),
    )


def create_transfer_reversal(*, reversal: ReversalRow) -> stripe.TransferReversal:
    """Take `reversal.amount` of its sent transfer back from the trainer's connected account."""
    params: stripe.params.TransferReversalCreateParams = {
        "amount": reversal.amount,
        "metadata": {"reversal_id": str(reversal.pk), "transfer_id": str(reversal.transfer.pk)},
    }
    transfer_id = reversal.transfer.stripe_transfer_id or ""
    return _call(
        "take back the trainer's payout",
        lambda: get_client().v1.transfers.reversals.create(
            transfer_id, params, {"idempotency_key": f"transfer_reversal:{reversal.pk}"}
        ),
    )
