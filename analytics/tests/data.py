"""A small hand-made month of payments whose every figure is worked out by hand below.

March 2026 (UTC), platform fee 15%:
  usd, trainer A: #1 100.00 succeeded (03-02) with a failed refund of 10.00 that must not count,
                  #2 80.00 partially refunded 30.00 through FitConnect (03-03),
                  #5 70.00 declined (03-16)
  usd, trainer B: #3 60.00 refunded in full in the Stripe Dashboard (03-10),
                  #4 50.00 disputed and lost (03-15), #6 40.00 canceled (03-17),
                  #11 10.00 succeeded (03-25)
  eur, trainer C: #9 120.00 succeeded (03-05), #10 30.00 declined (03-06)
  outside March:  #7 usd 90.00 succeeded for trainer A (04-01), #8 usd 20.00 on 02-28 23:59:59.
usd totals: 7 payments, 5 collected, 1 failed, 1 canceled; gross 300.00; refunds 90.00 in 2
(1 from the Dashboard, 60.00); fees and payouts kept after refunds: #1 15.00 + 85.00,
#2 7.50 + 42.50 (15% of the 50.00 kept), #3 0 + 0, #4 7.50 + 0 (its chargeback lost: the
trainer's 42.50 is recovered from them), #11 1.50 + 8.50, so fees 31.50, payouts 136.00 and
recovered shares 42.50 (31.50 + 136.00 + 42.50 = 300 - 90); refund rate 30.00%; success rate
5/6 = 83.33%; 1 dispute of 50.00, lost: 7.50 to the platform once the 42.50 is recovered; net
revenue 300 - 90 - 7.50 - 42.50 = 160.00.
Trainers (usd): A 2 payments, gross 180.00, fees 22.50, net 127.50, refunded 30.00;
B 3 payments, gross 120.00, fees 9.00, net 8.50, refunded 60.00, recovered 42.50.
eur: 2 payments, 1 collected, 1 failed; gross 120.00, fees 18.00; success rate 50.00%.
"""

import datetime as dt
from dataclasses import dataclass

from bookings.models import Booking
from core.tests.factories import ClientFactory, TrainerProfileFactory, UserFactory
from payments.apply.derivation import payment_derive
from payments.models import Payment, Refund

MARCH_START, MARCH_END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=dt.UTC)


@dataclass
class Dataset:
    trainer_a: object
    trainer_b: object
    trainer_c: object
    client: object
    payments: dict


def make_payment(trainer, client, amount, status, created, *, currency="usd", **fields):
    collected = status in Payment.COLLECTED_STATUSES
    booking = Booking.objects.create(
        client=client,
        trainer=trainer,
        start_time=created + dt.timedelta(days=2),
        end_time=created + dt.timedelta(days=2, hours=1),
        duration_minutes=60,
        price=amount,
        currency=currency,
        status=Booking.Status.CONFIRMED if collected else Booking.Status.EXPIRED,
        payment_status=Booking.PaymentStatus.PAID if collected else Booking.PaymentStatus.FAILED,
    )
    payment = Payment.objects.create(
        booking=booking,
        amount=amount,
        currency=currency,
        status=status,
        succeeded_at=created + dt.timedelta(seconds=30) if collected else None,
        **fields,
    )
    # created_at is auto_now_add: history is written afterwards.
    Payment.objects.filter(pk=payment.pk).update(created_at=created)
    payment.refresh_from_db()
    return payment


def refund(payment, amount, *, source=Refund.Source.API, status=Refund.Status.SUCCEEDED):
    row = Refund.objects.create(
        payment=payment,
        amount=amount,
        currency=payment.currency,
        status=status,
        source=source,
        stripe_refund_id=f"re_test_{payment.pk}_{amount}_{source}",
    )
    return payment_derive(payment), row


def make_dataset() -> Dataset:
    a = TrainerProfileFactory(user=UserFactory(role="trainer", first_name="Ann", last_name="A"))
    b = TrainerProfileFactory(user=UserFactory(role="trainer", first_name="Bob", last_name="B"))
    c = TrainerProfileFactory(
        user=UserFactory(role="trainer", first_name="Cleo", last_name="C"), currency="eur"
    )
    client = ClientFactory()
    S = Payment.Status
    p = {}
    p[1] = make_payment(a, client, 10000, S.SUCCEEDED, at(3, 2))
    refund(p[1], 1000, status=Refund.Status.FAILED)
    p[2] = make_payment(a, client, 8000, S.SUCCEEDED, at(3, 3))
    p[2], _ = refund(p[2], 3000)
    p[3] = make_payment(b, client, 6000, S.SUCCEEDED, at(3, 10))
    p[3], _ = refund(p[3], 6000, source=Refund.Source.DASHBOARD)
    p[4] = make_payment(
        b, client, 5000, S.DISPUTED, at(3, 15), dispute_id="dp_test_4", dispute_status="lost"
    )
    p[5] = make_payment(
        a, client, 7000, S.FAILED, at(3, 16), failure_code="card_declined", failure_message="No"
    )
    p[6] = make_payment(b, client, 4000, S.CANCELED, at(3, 17))
    p[7] = make_payment(a, client, 9000, S.SUCCEEDED, at(4, 1, 0, 0, 0))
    p[8] = make_payment(b, client, 2000, S.SUCCEEDED, at(2, 28, 23, 59, 59))
    p[9] = make_payment(c, client, 12000, S.SUCCEEDED, at(3, 5), currency="eur")
    p[10] = make_payment(c, client, 3000, S.FAILED, at(3, 6), currency="eur")
    p[11] = make_payment(b, client, 1000, S.SUCCEEDED, at(3, 25))
    for payment in p.values():
        payment.refresh_from_db()
    return Dataset(a, b, c, client, p)
