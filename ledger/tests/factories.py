"""Payments in a given money state, written straight to the database (the payments tests cover
how Stripe's answers get them there), and the ledger's view of them."""

import itertools

from core.tests.factories import BookingFactory
from payments.models import Payment, Refund

_ids = itertools.count(1)


def collected_payment(*, price=7500, currency="usd", status=Payment.Status.SUCCEEDED, **booking):
    """A payment whose charge succeeded (status `status`), with Stripe ids of its own."""
    booking = BookingFactory(price=price, currency=currency, **booking)
    n = next(_ids)
    return Payment.objects.create(
        booking=booking,
        amount=price,
        currency=currency,
        status=status,
        stripe_payment_intent_id=f"pi_ledger_{n}",
        stripe_charge_id=f"ch_ledger_{n}",
    )


def refund_row(payment, amount, *, status=Refund.Status.SUCCEEDED, source=Refund.Source.API):
    """A refund of `payment` in `status`, with a Stripe id of its own."""
    return Refund.objects.create(
        payment=payment,
        amount=amount,
        currency=payment.currency,
        status=status,
        source=source,
        stripe_refund_id=f"re_ledger_{next(_ids)}",
    )


def paid_at_stripe(localstripe, *, price=7500, currency="usd"):
    """A collected payment whose intent the emulator made and charged (pm_card_visa)."""
    payment = collected_payment(price=price, currency=currency)
    intent = localstripe.sdk.v1.payment_intents.create(
        {
            "amount": price,
            "currency": currency,
            "allowed_payment_method_types": ["card"],
            "metadata": {"payment_id": str(payment.pk), "booking_id": str(payment.booking_id)},
        }
    )
    localstripe.confirm(intent.id)
    payment.stripe_payment_intent_id = intent.id
    payment.save(update_fields=["stripe_payment_intent_id"])
    return payment


def refunded_at_stripe(localstripe, payment, amount):
    """A refund the emulator made, and its row."""
    refund = localstripe.sdk.v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": amount}
    )
    row = refund_row(payment, amount)
    row.stripe_refund_id = refund.id
    row.save(update_fields=["stripe_refund_id"])
    return row
