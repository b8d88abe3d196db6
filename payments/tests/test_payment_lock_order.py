"""create-payment-intent takes its locks in the order every webhook and refund takes them
(payment, then its booking), so a client reloading the pay page while the success webhook is
being applied waits for it instead of deadlocking (PostgreSQL aborts one side with a 500)."""

import threading
import time

import pytest
from django.db import connection, transaction

from bookings.models import Booking
from core.errors import Conflict
from payments.apply.intents import payment_apply_intent
from payments.commands.intents import payment_claim
from payments.models import Payment
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks to order")
def test_it_waits_for_a_webhook_holding_the_payment_instead_of_deadlocking():
    payment = se.payment(status="pending")
    booking = payment.booking
    webhook_locked, errors, outcomes = threading.Event(), [], {}

    def webhook():
        try:
            with transaction.atomic():
                # payments.apply.lookup.payment_lock's order: the payment first...
                locked = Payment.objects.select_for_update().get(pk=payment.pk)
                webhook_locked.set()
                time.sleep(0.5)  # ...while the client's claim comes in...
                # ...then the booking, inside payment_apply_intent.
                payment_apply_intent(locked, se.intent(locked, status="succeeded"))
            outcomes["webhook"] = "applied"
        except Exception as e:  # the deadlock is what this test looks for
            errors.append(e)
        finally:
            connection.close()

    def client():
        webhook_locked.wait(5)
        try:
            payment_claim(booking_id=booking.pk, user=booking.client)
            outcomes["client"] = "claimed"
        except Conflict:
            outcomes["client"] = "already paid"
        except Exception as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=webhook), threading.Thread(target=client)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == []
    assert outcomes == {"webhook": "applied", "client": "already paid"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert Booking.objects.get(pk=booking.pk).payment_status == Booking.PaymentStatus.PAID
