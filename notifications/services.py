"""Emails about money, each sent exactly once per thing that happened.

The notify_* functions are called by payments INSIDE the transaction that records the event. They
write an EmailNotification row whose unique key names the event, and queue the sending task with
`transaction.on_commit`: a rolled-back event sends nothing, and a duplicate webhook or a replayed
handler finds the existing row and queues nothing. The task claims the row with a conditional
UPDATE, so a retried or duplicated task never sends what another already sent
(notifications.delivery).
"""

import hashlib
import logging

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from bookings.calendar import CLIENT, TRAINER
from bookings.models import Booking
from notifications import emails
from notifications.models import EmailNotification
from notifications.tasks import queue_send
from payments.models import Payment, Refund

logger = logging.getLogger(__name__)

Kind = EmailNotification.Kind
Status = EmailNotification.Status


def _queue(*, key: str, kind: str, build) -> EmailNotification:
    """The notification for `key`, created (and its sending queued) the first time."""
    return _queue_many([(key, kind, build)])[0]


def _queue_many(specs) -> list[EmailNotification]:
    """The notifications for [(key, kind, build), ...], each created (and its sending queued)
    the first time its key is seen, in ONE statement.

    build() -> (recipient, subject, context, booking). Exactly-once comes from the unique key,
    not from the caller's row locks: `INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id`
    creates the rows whose key is new and silently skips the others; two transactions racing
    on a new key both reach the INSERT and PostgreSQL makes the second wait for the first's
    commit, then skip (no IntegrityError, no savepoint). Only the rows this INSERT created are
    queued for sending, on commit: a rolled-back event sends nothing. This replaced a lookup
    plus get_or_create per row (four statements and a savepoint each, 2 ms a row inside the
    transaction that holds the payment and booking locks).
    """
    rows = []
    for key, kind, build in specs:
        recipient, subject, context, booking = build()
        rows.append(
            EmailNotification(
                key=key,
                kind=kind,
                recipient=recipient,
                subject=emails.subject_line(subject),
                context=context,
                booking=booking,
            )
        )
    created = _insert_new(rows)
    for row in rows:
        row.pk = created.get(row.key)
        if row.pk is not None:
            row._state.adding, row._state.db = False, connection.alias
            _enqueue_on_commit(row.pk)
    missing = [row.key for row in rows if row.pk is None]
    # A duplicate (webhook copy, replay): hand back the row that exists, as get_or_create did.
    existing = (
        {n.key: n for n in EmailNotification.objects.filter(key__in=missing)} if missing else {}
    )
    return [row if row.pk is not None else existing[row.key] for row in rows]


def _insert_new(rows: list[EmailNotification]) -> dict[str, int]:
    """INSERT the rows, skipping keys that exist; {key: id} of the rows it created.

    Raw SQL because Django's bulk_create(ignore_conflicts=True) does not say which rows it
    inserted, and we must queue exactly those. Values go through each field's own
    get_db_prep_save (JSON, datetimes), so the SQL is the same as Django's; both PostgreSQL and
    SQLite (>= 3.35) support ON CONFLICT ... DO NOTHING RETURNING, and it only ignores a
    conflict on `key`, never another constraint.
    """
    meta = EmailNotification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    params: list = []
    for row in rows:
        params += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    # Names are the model's own, every value a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {quote(meta.pk.column)}, {quote('key')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def _enqueue_on_commit(notification_id: int) -> None:
    # robust: the event is already committed; a broker that is down must not turn the webhook
    # or request that recorded it into an error. The row stays queued and
    # requeue_stuck_notifications picks it up. A lambda, not functools.partial: Django logs a
    # failed robust callback by its __qualname__, which a partial lacks.
    transaction.on_commit(lambda: queue_send(notification_id), robust=True)


def _booking(booking_id: int) -> Booking:
    # Fresh, not the caller's possibly cached instance: the payments transaction may have just
    # confirmed or cancelled it through another object.
    return Booking.objects.select_related("client", "trainer__user").get(pk=booking_id)


def notify_payment_succeeded(payment) -> list[EmailNotification]:
    """The client's receipt and the trainer's "new paid booking", once per payment.

    The trainer hears of it only if the session is on and this payment is its own: a payment
    that landed after the booking was cancelled, paid by another attempt or its slot taken is
    refunded in full instead (the client then gets the refund email).
    """
    if payment.status not in Payment.COLLECTED_STATUSES:
        logger.warning("notify_payment_succeeded on payment %s in %s", payment.pk, payment.status)
        return []
    booking = _booking(payment.booking_id)

    def receipt():
        context = emails.payment_succeeded_context(payment, booking)
        subject = f"Receipt: {context['amount']} for your session with {context['trainer_name']}"
        return booking.client.email, subject, context, booking

    def trainer():
        context = emails.trainer_new_booking_context(payment, booking)
        subject = f"New paid booking: {context['client_name']}, {context['session_time']}"
        return booking.trainer.user.email, subject, context, booking

    specs = [(f"{Kind.PAYMENT_SUCCEEDED}:payment:{payment.pk}", Kind.PAYMENT_SUCCEEDED, receipt)]
    if (
        booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
        and not payment.refund_in_full_reason
    ):
        specs.append(
            (f"{Kind.TRAINER_NEW_BOOKING}:payment:{payment.pk}", Kind.TRAINER_NEW_BOOKING, trainer)
        )
    return _queue_many(specs)


def notify_payment_failed(payment) -> EmailNotification:
    """Tell the client their payment failed, why, and where to try again.

    One intent can be declined, retried with another card and declined again: two things that
    happened. Stripe's decline (code and message) tells them apart without a counter, and is the
    same on every delivery or sync of one decline, so duplicates still collapse to one email.
    """
    decline = hashlib.sha256(
        f"{payment.failure_code}|{payment.failure_message}|{payment.stripe_charge_id}".encode()
    ).hexdigest()[:16]

    def build():
        booking = _booking(payment.booking_id)
        context = emails.payment_failed_context(payment, booking)
        subject = f"Your payment of {context['amount']} did not go through"
        return booking.client.email, subject, context, booking

    return _queue(
        key=f"{Kind.PAYMENT_FAILED}:payment:{payment.pk}:{decline}",
        kind=Kind.PAYMENT_FAILED,
        build=build,
    )


def notify_refund_succeeded(refund) -> EmailNotification:
    """Tell the client money is on its way back, once per refund (partial refunds each get one,
    Dashboard refunds too)."""

    def build():
        payment = Payment.objects.get(pk=refund.payment_id)
        booking = _booking(payment.booking_id)
        context = emails.refund_context(refund, payment, booking)
        subject = f"Your refund of {context['amount']} is on its way"
        return booking.client.email, subject, context, booking

    return _queue(key=_refund_key(refund), kind=Kind.REFUND_SUCCEEDED, build=build)


def _refund_key(refund) -> str:
    return f"{Kind.REFUND_SUCCEEDED}:refund:{refund.pk}"


def notify_refunds_succeeded(refunds) -> None:
    """notify_refund_succeeded for each of a payment's refunds not yet notified.

    One lookup for all of them, so recomputing a payment's totals (under its lock) does not
    rebuild the email of every earlier refund only for the unique key to discard it.
    """
    by_key = {_refund_key(refund): refund for refund in refunds}
    seen = set(EmailNotification.objects.filter(key__in=by_key).values_list("key", flat=True))
    for key, refund in by_key.items():
        if key not in seen:
            notify_refund_succeeded(refund)


def notify_booking_cancelled(booking, refund=None) -> EmailNotification | None:
    """Tell the trainer a paid booking was cancelled and what it does to their payout.

    `refund`: the Refund the cancellation made (None when nothing went back; a refund Stripe
    refused counts as none). Unpaid bookings are skipped: the trainer was never told about them
    (they hear of a booking once it is paid).
    """
    payment = (
        Payment.live().filter(booking_id=booking.pk, status__in=Payment.COLLECTED_STATUSES).first()
    )
    if payment is None:
        return None
    if refund is not None and refund.status == Refund.Status.FAILED:
        refund = None

    def build():
        fresh = _booking(booking.pk)
        earlier = payment.refunds.exclude(status=Refund.Status.FAILED)
        if refund is not None:
            earlier = earlier.exclude(pk=refund.pk)
        refunded_before = earlier.aggregate(total=Sum("amount"))["total"] or 0
        context = emails.trainer_cancellation_context(fresh, payment, refund, refunded_before)
        subject = f"Booking cancelled: {context['client_name']}, {context['session_time']}"
        return fresh.trainer.user.email, subject, context, fresh

    return _queue(
        key=f"{Kind.TRAINER_BOOKING_CANCELLED}:booking:{booking.pk}",
        kind=Kind.TRAINER_BOOKING_CANCELLED,
        build=build,
    )


def notify_booking_rescheduled(booking, *, previous_start) -> list[EmailNotification]:
    """Tell the trainer and the client the session's new time, each with the updated calendar
    invitation; once per move (the key names the booking's calendar sequence). Called inside
    the transaction that moved it."""
    fresh = _booking(booking.pk)

    def build(viewer, recipient):
        def make():
            context = emails.rescheduled_context(
                fresh, previous_start=previous_start, viewer=viewer
            )
            subject = f"Session moved to {context['session_time']}"
            if viewer == TRAINER:
                subject = f"{context['client_name']} moved the session to {context['session_time']}"
            return recipient, subject, context, fresh

        return make

    move = f"booking:{fresh.pk}:sequence:{fresh.calendar_sequence}"
    return _queue_many(
        [
            (
                f"{Kind.TRAINER_BOOKING_RESCHEDULED}:{move}",
                Kind.TRAINER_BOOKING_RESCHEDULED,
                build(TRAINER, fresh.trainer.user.email),
            ),
            (
                f"{Kind.BOOKING_RESCHEDULED}:{move}",
                Kind.BOOKING_RESCHEDULED,
                build(CLIENT, fresh.client.email),
            ),
        ]
    )


def notification_resend(notification: EmailNotification) -> bool:
    """Queue a failed notification again (an admin action once the mail server is fixed)."""
    updated = EmailNotification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.QUEUED, updated_at=timezone.now()
    )
    if updated:
        _enqueue_on_commit(notification.pk)
    return bool(updated)
