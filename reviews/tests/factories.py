import datetime as dt

import factory
from django.utils import timezone

from notifications.tests.factories import PaidPaymentFactory
from reviews.models import Review


def completed_session(**booking_kwargs):
    """A booking that took place three days ago, was paid and has been completed."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    payment = PaidPaymentFactory(
        booking__start_time=booking_kwargs.pop("start_time", start),
        booking__status="completed",
        **{f"booking__{k}": v for k, v in booking_kwargs.items()},
    )
    return payment.booking


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    booking = factory.LazyFunction(completed_session)
    trainer = factory.LazyAttribute(lambda o: o.booking.trainer)
    client = factory.LazyAttribute(lambda o: o.booking.client)
    rating = 5
    comment = "Great session."
