"""Generate a year of realistic payments for the analytics dashboard and its benchmark.

    manage.py seed_analytics --payments 1000000 [--seed 7]

Rows are generated in Python with precomputed ids and written in batches: COPY on PostgreSQL
(1M payments in about a minute), executemany elsewhere. Going around the ORM is deliberate:
bulk_create would overwrite created_at (auto_now_add) with "now", and a year of history is the
point. Every row satisfies the model constraints: fees come from core.money.percentage_of and
fee + payout = amount, refunds never exceed the amount, one live payment per booking.
"""

import datetime as dt
import json
import random
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from core.money import percentage_of
from payments.models import Payment, Refund
from trainers.models import AvailabilityWindow, TrainerProfile

BATCH = 20_000
# Trainers' currencies and their hourly rates (minor units): mostly USD, some EUR, GBP and JPY.
CURRENCIES = [
    ("usd", 0.70, range(4000, 15001, 500)),
    ("eur", 0.15, range(3500, 12001, 500)),
    ("gbp", 0.10, range(3000, 11001, 500)),
    ("jpy", 0.05, range(5000, 15001, 1000)),
]
DURATIONS = (30, 45, 60, 60, 60, 90)
DECLINES = (
    ("card_declined", "Your card was declined."),
    ("insufficient_funds", "Your card has insufficient funds."),
    ("expired_card", "Your card has expired."),
    ("incorrect_cvc", "Your card's security code is incorrect."),
)
BRANDS = ("visa", "visa", "visa", "mastercard", "mastercard", "amex")
# An unusable password: seeded people cannot log in.
NO_PASSWORD = "!seed_analytics"


class TableWriter:
    """Writes tuples in the model's concrete-field order; unspecified fields get their default."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self.postgres = connection.vendor == "postgresql"
        self.json = {i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)}
        self.defaults = {}
        for f in self.fields:
            if f.has_default() or not f.null:
                self.defaults[f.attname] = f.get_default()
            else:
                self.defaults[f.attname] = None
        self.count = 0

    def row(self, values: dict) -> tuple:
        defaults = self.defaults
        return tuple(values[a] if a in values else defaults[a] for a in self.attnames)

    def write(self, rows: Iterable[tuple]) -> None:
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            self._write_batch(batch)
            self.count += len(batch)

    def _write_batch(self, batch: list[tuple]) -> None:
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        if self.json:
                            row = tuple(
                                json.dumps(v) if i in self.json else v for i, v in enumerate(row)
                            )
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(self.fields, row, strict=True)
                        ]
                        for row in batch
                    ],
                )


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1


class Command(BaseCommand):
    help = "Generate trainers, clients, bookings and a year of payments (with declines, refunds "
    "and disputes) for the analytics dashboard and benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--payments", type=int, required=True, help="How many payments.")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same data)."
        )
        parser.add_argument("--trainers", type=int, help="Default: one per 2,000 payments.")
        parser.add_argument("--clients", type=int, help="Default: one per 40 payments.")
        parser.add_argument("--days", type=int, default=365, help="History length in days.")

    def handle(self, *args, payments, seed, trainers, clients, days, **options):
        if payments < 1:
            raise CommandError("--payments must be at least 1.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        trainers = trainers or min(2000, max(3, payments // 2000))
        clients = clients or min(50_000, max(5, payments // 40))
        if trainers < 1 or clients < 1:
            raise CommandError("--trainers and --clients must be at least 1.")
        started = time.monotonic()
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        self.now = timezone.now()
        self.fee_percent = Decimal(settings.PLATFORM_FEE_PERCENT)
        self._fees: dict[int, int] = {}
        with transaction.atomic():
            trainer_rows = self.make_people(trainers, clients)
            counts = self.make_payments(payments, days, trainer_rows)
            if connection.vendor == "postgresql":
                self.reset_sequences()
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner and a visibility map for index-only scans (VACUUM
            # cannot run inside a caller's transaction, e.g. a test's; ANALYZE can).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (User, TrainerProfile, Booking, Payment, Refund):
                    cursor.execute(f"{command} {model._meta.db_table}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"seed_analytics: {trainers} trainers, {clients} clients, {payments} bookings and "
            f"payments ({counts['failed']} declined, {counts['canceled']} canceled, "
            f"{counts['refunds']} refunds of which {counts['dashboard']} from the Dashboard, "
            f"{counts['disputes']} disputes) in {elapsed:.1f}s on {connection.vendor}"
        )

    # --- people -----------------------------------------------------------------------------
    def make_people(self, trainers: int, clients: int) -> list[tuple[int, str, int]]:
        rng, now = self.rng, self.now
        users, profiles = TableWriter(User), TableWriter(TrainerProfile)
        user_id, profile_id = next_id(User), next_id(TrainerProfile)
        joined = now - dt.timedelta(days=400)

        def person(uid: int, role: str) -> tuple:
            return users.row(
                {
                    "id": uid,
                    "password": NO_PASSWORD,
                    "email": f"{role}{uid}@seed.fitconnect.test",
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "role": role,
                    "date_joined": joined,
                }
            )

        trainer_rows, profile_rows = [], []
        for n in range(trainers):
            uid, pid = user_id + n, profile_id + n
            currency, rates = self.pick_currency()
            rate = rng.choice(rates)
            trainer_rows.append((pid, currency, rate))
            profile_rows.append(
                profiles.row(
                    {
                        "id": pid,
                        "user_id": uid,
                        "created_at": joined,
                        "updated_at": joined,
                        "bio": "Seeded trainer.",
                        "specialties": [rng.choice(("strength", "yoga", "running", "boxing"))],
                        "hourly_rate": rate,
                        "currency": currency,
                    }
                )
            )
        users.write(person(user_id + n, "trainer") for n in range(trainers))
        profiles.write(profile_rows)
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(
                trainer_id=pid, weekday=d, start_time=dt.time(6), end_time=dt.time(21)
            )
            for pid, _, _ in trainer_rows
            for d in range(6)
        )
        self.client_ids = range(user_id + trainers, user_id + trainers + clients)
        users.write(person(uid, "client") for uid in self.client_ids)
        return trainer_rows

    def pick_currency(self):
        r, edge = self.rng.random(), 0.0
        for currency, share, rates in CURRENCIES:
            edge += share
            if r < edge:
                return currency, rates
        return CURRENCIES[0][0], CURRENCIES[0][2]

    # --- bookings, payments, refunds --------------------------------------------------------
    def fee(self, amount: int) -> int:
        if amount not in self._fees:
            self._fees[amount] = percentage_of(amount, self.fee_percent)
        return self._fees[amount]

    def make_payments(self, count: int, days: int, trainer_rows) -> dict[str, int]:
        bookings, payments, refunds = (
            TableWriter(Booking),
            TableWriter(Payment),
            TableWriter(Refund),
        )
        first_booking, first_payment, first_refund = (
            next_id(Booking),
            next_id(Payment),
            next_id(Refund),
        )
        counts = dict.fromkeys(("failed", "canceled", "refunds", "dashboard", "disputes"), 0)
        refund_rows: list[tuple] = []
        state = {"refund_id": first_refund}

        # Payments arrive in time order in real life, so ids and rows on disk follow created_at;
        # scans of a recent period then read few pages, as they would in production.
        created = sorted(self.creation_time(days) for _ in range(count))

        def generate() -> Iterator[tuple[tuple, tuple]]:
            for n in range(count):
                yield self.one_payment(
                    first_booking + n,
                    first_payment + n,
                    created[n],
                    trainer_rows,
                    counts,
                    refund_rows,
                    state,
                    bookings,
                    payments,
                    refunds,
                )

        pairs = generate()
        while chunk := list(islice(pairs, BATCH)):
            bookings.write(b for b, _ in chunk)
            payments.write(p for _, p in chunk)
            refunds.write(refund_rows)
            refund_rows.clear()
        return counts

    def creation_time(self, days: int) -> dt.datetime:
        rng = self.rng
        # More business lately: the square root skews creation times towards the present; people
        # book between 06:00 and 22:00.
        day = self.now - dt.timedelta(days=int(days * (1 - rng.random() ** 0.5)))
        created = day.replace(hour=rng.randint(6, 21), minute=rng.randint(0, 59), microsecond=0)
        return created if created <= self.now else created - dt.timedelta(days=1)

    def one_payment(
        self, booking_id, payment_id, created, trainer_rows, counts, refund_rows, state, *writers
    ):
        bookings, payments, refunds = writers
        rng, now = self.rng, self.now
        trainer_id, currency, rate = rng.choice(trainer_rows)
        client_id = rng.choice(self.client_ids)
        duration = rng.choice(DURATIONS)
        price = rate * duration // 60
        start = (created + dt.timedelta(days=rng.randint(1, 14))).replace(minute=0, second=0)
        fee = self.fee(price)

        booking = {
            "id": booking_id,
            "created_at": created,
            "updated_at": created,
            "client_id": client_id,
            "trainer_id": trainer_id,
            "start_time": start,
            "end_time": start + dt.timedelta(minutes=duration),
            "duration_minutes": duration,
            "price": price,
            "currency": currency,
        }
        payment = {
            "id": payment_id,
            "created_at": created,
            "updated_at": created,
            "booking_id": booking_id,
            "trainer_id": trainer_id,  # the booking's, as Payment.save() would set it
            "stripe_payment_intent_id": f"pi_seed{payment_id}",
            "amount": price,
            "currency": currency,
            "platform_fee_percentage": self.fee_percent,
            "platform_fee_amount": fee,
            "trainer_payout_amount": price - fee,
            "net_platform_fee": fee,
            "net_trainer_payout": price - fee,
            "payment_method_type": "card",
            "card_brand": rng.choice(BRANDS),
            "card_last4": f"{rng.randint(0, 9999):04d}",
        }
        r = rng.random()
        if r < 0.08:  # declined: the last attempt failed and the hold ran out
            counts["failed"] += 1
            code, message = rng.choice(DECLINES)
            payment.update(status=Payment.Status.FAILED, failure_code=code, failure_message=message)
            booking.update(
                status=Booking.Status.EXPIRED, payment_status=Booking.PaymentStatus.FAILED
            )
        elif r < 0.10:  # abandoned checkout
            counts["canceled"] += 1
            payment["status"] = Payment.Status.CANCELED
            booking.update(
                status=Booking.Status.EXPIRED, payment_status=Booking.PaymentStatus.UNPAID
            )
        else:
            paid_at = created + dt.timedelta(seconds=rng.randint(3, 90))
            payment.update(
                status=Payment.Status.SUCCEEDED,
                succeeded_at=paid_at,
                updated_at=paid_at,
                stripe_charge_id=f"ch_seed{payment_id}",
                receipt_url=f"https://pay.stripe.com/receipts/seed{payment_id}",
            )
            booking.update(
                status=Booking.Status.COMPLETED if start < now else Booking.Status.CONFIRMED,
                payment_status=Booking.PaymentStatus.PAID,
            )
            r = rng.random()
            if r < 0.07:  # refunds: 3% in full, 4% partly; a fifth made in the Stripe Dashboard
                self.refund(
                    payment,
                    booking,
                    full=r < 0.03,
                    counts=counts,
                    rows=refund_rows,
                    state=state,
                    writer=refunds,
                )
            elif r < 0.074:  # disputes: open, won (back to succeeded) or lost
                counts["disputes"] += 1
                outcome = rng.choice(("needs_response", "won", "lost", "lost"))
                payment.update(dispute_id=f"dp_seed{payment_id}", dispute_status=outcome)
                if outcome != "won":
                    payment["status"] = Payment.Status.DISPUTED
        return bookings.row(booking), payments.row(payment)

    def refund(self, payment, booking, *, full, counts, rows, state, writer):
        rng = self.rng
        dashboard = rng.random() < 0.2
        amount = payment["amount"] if full else payment["amount"] // 2
        refunded_at = min(
            payment["succeeded_at"] + dt.timedelta(hours=rng.randint(1, 240)), self.now
        )
        counts["refunds"] += 1
        counts["dashboard"] += dashboard
        refund_id = state["refund_id"]
        state["refund_id"] += 1
        rows.append(
            writer.row(
                {
                    "id": refund_id,
                    "created_at": refunded_at,
                    "updated_at": refunded_at,
                    "payment_id": payment["id"],
                    "stripe_refund_id": f"re_seed{refund_id}",
                    "amount": amount,
                    "currency": payment["currency"],
                    "status": Refund.Status.SUCCEEDED,
                    "reason": "Refunded in the Stripe Dashboard" if dashboard else "Cancelled",
                    "source": Refund.Source.DASHBOARD if dashboard else Refund.Source.CANCELLATION,
                }
            )
        )
        # What each side keeps after the refund, by the model's own rule.
        kept = Payment(
            amount=payment["amount"],
            platform_fee_percentage=payment["platform_fee_percentage"],
            refund_amount=amount,
        )
        kept.calculate_fees()
        payment.update(
            net_platform_fee=kept.net_platform_fee,
            net_trainer_payout=kept.net_trainer_payout,
            refund_amount=amount,
            refunded_at=refunded_at,
            updated_at=refunded_at,
            status=Payment.Status.REFUNDED if full else Payment.Status.PARTIALLY_REFUNDED,
        )
        booking["payment_status"] = (
            Booking.PaymentStatus.REFUNDED if full else Booking.PaymentStatus.PARTIALLY_REFUNDED
        )
        if not dashboard:  # our refunds come from cancelling; Dashboard ones leave the booking
            booking.update(
                status=Booking.Status.CANCELLED,
                cancelled_at=refunded_at,
                cancelled_by_id=booking["client_id"],
                cancellation_reason="Seeded cancellation",
            )

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for model in (User, TrainerProfile, AvailabilityWindow, Booking, Payment, Refund):
                table = model._meta.db_table  # our own model's name, not input
                max_id = f"(SELECT COALESCE(MAX(id), 1) FROM {table})"  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {max_id})", [table]
                )


FIRST_NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jon", "Kara", "Liam",
    "Maya", "Noah", "Olu", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wes", "Yuki",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Khan", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber",
)  # fmt: skip
