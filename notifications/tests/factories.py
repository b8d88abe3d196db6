"""Payments and refunds written straight to the database, in the states the emails are about."""

import factory

from core.tests.factories import BookingFactory
from payments.models import Payment, Refund


class PaidPaymentFactory(factory.django.DjangoModelFactory):
    """A succeeded 75.00 USD payment by Visa 4242 for a confirmed, paid booking."""

    class Meta:
        model = Payment

    booking = factory.SubFactory(
        BookingFactory, status="confirmed", payment_status="paid", hold_expires_at=None
    )
    stripe_payment_intent_id = factory.Sequence(lambda n: f"pi_test_{n}")
    stripe_charge_id = factory.Sequence(lambda n: f"ch_test_{n}")
    amount = factory.LazyAttribute(lambda o: o.booking.price)
    currency = factory.LazyAttribute(lambda o: o.booking.currency)
    status = Payment.Status.SUCCEEDED
    payment_method_type = "card"
    card_brand = "visa"
    card_last4 = "4242"
    receipt_url = factory.Sequence(lambda n: f"https://pay.stripe.com/receipts/rcpt_{n}")


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaidPaymentFactory)
    stripe_refund_id = factory.Sequence(lambda n: f"re_test_{n}")
    amount = factory.LazyAttribute(lambda o: o.payment.amount)
    currency = factory.LazyAttribute(lambda o: o.payment.currency)
    status = Refund.Status.SUCCEEDED
