"""Payment.trainer is a copy of booking.trainer (analytics groups payments by it)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments.models import Payment


@pytest.mark.django_db
def test_it_copies_the_bookings_trainer_when_a_payment_is_created():
    booking = BookingFactory()
    payment = Payment.objects.create(booking=booking, amount=booking.price, currency="usd")
    payment.refresh_from_db()
    assert payment.trainer_id == booking.trainer_id


@pytest.mark.django_db
def test_it_keeps_a_trainer_given_explicitly():
    booking = BookingFactory()
    payment = Payment(booking=booking, trainer=booking.trainer, amount=booking.price)
    payment.currency = "usd"
    payment.save()
    assert Payment.objects.get(pk=payment.pk).trainer_id == booking.trainer_id


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_trainer_of_existing_payments():
    before = [("payments", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        bookings = [BookingFactory(trainer=TrainerProfileFactory()) for _ in range(2)]
        OldPayment = old.get_model("payments", "Payment")
        ids = [
            OldPayment.objects.create(
                booking_id=b.pk,
                amount=b.price,
                currency="usd",
                platform_fee_amount=0,
                trainer_payout_amount=b.price,
            ).pk
            for b in bookings
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema
    copied = dict(Payment.objects.filter(pk__in=ids).values_list("pk", "trainer_id"))
    assert copied == {pk: b.trainer_id for pk, b in zip(ids, bookings, strict=True)}
