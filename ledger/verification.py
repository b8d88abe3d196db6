"""The ledger checked against itself, our payment rows and Stripe (`manage.py verify_ledger`).

1. Every transaction balances in each currency and has at least two entries (PostgreSQL
   refuses anything else at commit; on SQLite raw SQL could still write one).
2. The ledger agrees with the payment and refund rows: a collected payment has its charge
   posted and the ledger's figures of it equal the row's (refunded, net platform fee, net
   trainer payout, what a dispute withheld or lost); a succeeded refund is posted once and not
   reversed, a failed one reversed if it was posted; nothing is posted for a payment whose
   money we do not hold (open, canceled, in review); the trainer is owed nothing of a payment
   whose chargeback was lost (their share recovered the loss, or is being taken back).
3. Stripe agrees with the ledger: for each PaymentIntent of ours created in the period, what
   Stripe received and refunded equals what the ledger posted for it, and so do the totals per
   currency; a charge posted for an intent Stripe does not have is a difference too.

Checks 1 and 2 cover the transactions posted and the payments changed in the period, or
everything (`everything=True`). Every difference is listed; the exit code says whether any was
found (1), or Stripe could not be asked (2), or everything agrees (0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone

from core.money import format_amount
from ledger.models import Account, Entry, Transaction, Verification
from ledger.postings import CHARGEBACK_STATUSES
from ledger.selectors import PaymentFigures, payment_figures
from payments import stripe_client, stripe_objects
from payments.models import Payment, Refund

T = Transaction.Kind
BATCH = 2000
# The period checked when none is given (the command) and by every reconciliation.
DEFAULT_PERIOD = dt.timedelta(days=1)
# Verification rows kept for the admin; older ones are removed as new ones are stored.
KEEP = 200


@dataclass
class CurrencyTotals:
    stripe_charged: int = 0
    ledger_charged: int = 0
    stripe_refunded: int = 0
    ledger_refunded: int = 0

    @property
    def agree(self) -> bool:
        return (self.stripe_charged, self.stripe_refunded) == (
            self.ledger_charged,
            self.ledger_refunded,
        )


@dataclass
class LedgerReport:
    start: dt.datetime
    end: dt.datetime
    everything: bool = False
    started_at: dt.datetime = field(default_factory=timezone.now)
    transactions_checked: int = 0
    payments_checked: int = 0
    refunds_checked: int = 0
    intents_checked: int | None = None  # None: Stripe was not asked
    totals: dict[str, CurrencyTotals] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    stripe_error: str = ""

    @property
    def exit_code(self) -> int:
        if self.differences:
            return 1
        return 2 if self.stripe_error else 0

    @property
    def summary(self) -> str:
        if self.differences:
            return (
                f"{len(self.differences)} difference(s) between the ledger and the rows or Stripe."
            )
        if self.stripe_error:
            return f"Stripe could not be asked ({self.stripe_error}); the rest agrees."
        return "The ledger agrees with the payment rows and Stripe."

    def lines(self) -> list[str]:
        scope = (
            "every transaction and payment"
            if self.everything
            else "transactions posted and payments changed in the period"
        )
        lines = [
            f"Ledger verification at {self.started_at:%Y-%m-%d %H:%M:%S} UTC",
            f"Period: {self.start:%Y-%m-%d %H:%M:%S} to {self.end:%Y-%m-%d %H:%M:%S} UTC "
            f"(rows: {scope})",
            f"Transactions: {self.transactions_checked} checked.",
            f"Payment rows: {self.payments_checked} payments and {self.refunds_checked} refunds "
            "checked.",
        ]
        if self.intents_checked is None:
            lines.append(
                f"Stripe: not checked{f' ({self.stripe_error})' if self.stripe_error else ''}."
            )
        else:
            lines.append(f"Stripe: {self.intents_checked} payment intents created in the period.")
        for currency, t in sorted(self.totals.items()):
            lines.append(
                f"  {currency.upper()}: charged {format_amount(t.stripe_charged, currency)} at "
                f"Stripe, {format_amount(t.ledger_charged, currency)} in the ledger; refunded "
                f"{format_amount(t.stripe_refunded, currency)} at Stripe, "
                f"{format_amount(t.ledger_refunded, currency)} in the ledger"
                f"{'' if t.agree else ' (DIFFERENT)'}."
            )
        if self.differences:
            lines.append(f"Differences ({len(self.differences)}):")
            lines += [f"  - {d}" for d in self.differences]
        lines.append(self.summary)
        return lines


def verify_ledger(
    *,
    start: dt.datetime,
    end: dt.datetime,
    everything: bool = False,
    ask_stripe: bool = True,
) -> LedgerReport:
    """Run the checks and store their result (ledger.models.Verification) for the admin."""
    report = LedgerReport(start=start, end=end, everything=everything)
    _check_balanced(report)
    _check_rows(report)
    if ask_stripe:
        _check_stripe(report)
    Verification.objects.create(
        started_at=report.started_at,
        finished_at=timezone.now(),
        period_start=start,
        period_end=end,
        ok=report.exit_code == 0,
        exit_code=report.exit_code,
        differences=len(report.differences),
        report="\n".join(report.lines()),
    )
    stale = Verification.objects.values_list("pk", flat=True)[KEEP:]
    Verification.objects.filter(pk__in=list(stale)).delete()
    return report


# --- 1. Balanced transactions --------------------------------------------------------------------
def _check_balanced(report: LedgerReport) -> None:
    transactions = Transaction.objects.all()
    if not report.everything:
        transactions = transactions.filter(created_at__gte=report.start, created_at__lt=report.end)
    report.transactions_checked = transactions.count()
    unbalanced = (
        Entry.objects.filter(transaction__in=transactions)
        .values_list("transaction_id", "transaction__key", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id", "currency")
    )
    for pk, key, currency, total in unbalanced:
        report.differences.append(
            f"transaction {pk} ({key}) does not balance: its {currency} entries sum to {total}"
        )
    thin = transactions.annotate(n=Count("entries")).filter(n__lt=2).order_by("pk")
    for pk, key, n in thin.values_list("pk", "key", "n"):
        report.differences.append(f"transaction {pk} ({key}) has {n} entries, at least two needed")


# --- 2. The payment and refund rows --------------------------------------------------------------
def _check_rows(report: LedgerReport) -> None:
    payments = Payment.objects.all()
    if not report.everything:
        payments = payments.filter(updated_at__gte=report.start, updated_at__lt=report.end)
    payments = payments.order_by("pk")
    last = 0
    while batch := list(payments.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        _check_batch(report, batch)


def _check_batch(report: LedgerReport, payments: list[Payment]) -> None:
    ids = [p.pk for p in payments]
    figures = payment_figures(ids)
    refunds: dict[int, list[Refund]] = defaultdict(list)
    for refund in Refund.objects.filter(payment_id__in=ids).order_by("pk"):
        refunds[refund.payment_id].append(refund)
    posted: dict[int, set[str]] = defaultdict(set)
    for refund_id, kind in Transaction.objects.filter(
        payment_id__in=ids, refund__isnull=False
    ).values_list("refund_id", "kind"):
        posted[refund_id].add(kind)
    still_owed = _owed_after_a_lost_chargeback(payments)
    for payment in payments:
        report.payments_checked += 1
        ledger = figures.get(payment.pk)
        if payment.status not in Payment.COLLECTED_STATUSES:
            if ledger is not None:
                report.differences.append(
                    f"payment {payment.pk} is {payment.status}, yet the ledger holds postings "
                    f"of it: {_describe(ledger, payment.currency)}"
                )
            continue
        own = refunds[payment.pk]
        report.refunds_checked += len(own)
        expected = _expected_figures(payment, own)
        if ledger != expected:
            report.differences.append(
                f"payment {payment.pk} ({payment.status}): the ledger has "
                f"{_describe(ledger, payment.currency)}; its rows say "
                f"{_describe(expected, payment.currency)}"
            )
        if still_owed.get(payment.pk, 0) > 0:
            report.differences.append(
                f"payment {payment.pk}: its chargeback {payment.dispute_id} is lost, yet the "
                f"ledger owes the trainer {format_amount(still_owed[payment.pk], payment.currency)}"
                " of it (backfill_ledger posts the recovery)"
            )
        for refund in own:
            kinds = posted[refund.pk]
            if kinds != _expected_refund_postings(refund, kinds):
                report.differences.append(
                    f"refund {refund.pk} of payment {payment.pk} is {refund.status}, but the "
                    f"ledger has {sorted(kinds) or 'no posting'} for it"
                )


def _owed_after_a_lost_chargeback(payments: list[Payment]) -> dict[int, int]:
    """{payment id: what the trainer's payable still holds of it} for the payments whose
    chargeback was lost (ledger.selectors.payment_trainer_payable, for a batch)."""
    lost = [p.pk for p in payments if p.dispute_id and p.dispute_status == "lost"]
    if not lost:
        return {}
    rows = (
        Entry.objects.filter(
            account__kind=Account.Kind.TRAINER_PAYABLE, transaction__payment_id__in=lost
        )
        .values_list("transaction__payment_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {payment_id: -total for payment_id, total in rows}


def _expected_figures(payment: Payment, refunds: list[Refund]) -> PaymentFigures:
    refunded = sum(r.amount for r in refunds if r.status == Refund.Status.SUCCEEDED)
    left = payment.amount - refunded
    status = payment.dispute_status if payment.dispute_id else ""
    withheld = left if status in CHARGEBACK_STATUSES - {"won", "lost"} else 0
    lost = left if status == "lost" else 0
    return PaymentFigures(
        charged=payment.amount,
        received=left - withheld - lost,
        refunded=refunded,
        trainer=payment.net_trainer_payout,
        platform=payment.net_platform_fee,
        withheld=withheld,
        lost=lost,
    )


def _expected_refund_postings(refund: Refund, kinds: set[str]) -> set[str]:
    if refund.status == Refund.Status.SUCCEEDED:
        return {T.REFUND}
    if refund.status == Refund.Status.FAILED and kinds:
        return {T.REFUND, T.REFUND_REVERSAL}  # it succeeded first: posted, then reversed
    return set()


def _describe(figures: PaymentFigures | None, currency: str) -> str:
    if figures is None:
        return "nothing posted"
    return ", ".join(
        f"{name} {format_amount(value, currency)}"
        for name, value in vars(figures).items()
        if value or name == "charged"
    )


# --- 3. Stripe ------------------------------------------------------------------------------------
def _check_stripe(report: LedgerReport) -> None:
    # Stripe's times are whole seconds: one created in the second the period ends is in it.
    start, end = report.start.timestamp(), report.end.timestamp()
    try:
        listed = [i.to_dict() for i in stripe_client.list_payment_intents(created_gte=int(start))]
    except stripe_client.StripeFailure as e:
        report.stripe_error = e.message
        return
    intents = {
        i["id"]: i
        for i in listed
        if (i.get("metadata") or {}).get("payment_id") and start <= i.get("created", 0) < end
    }
    payments = {
        p.stripe_payment_intent_id: p
        for p in Payment.objects.filter(stripe_payment_intent_id__in=list(intents))
    }
    try:
        _add_posted_but_not_listed(report, intents, payments, start=start, end=end)
        figures = payment_figures([p.pk for p in payments.values()])
        for intent_id, intent in intents.items():
            payment = payments.get(intent_id)
            _compare_intent(report, intent, payment, figures.get(payment.pk) if payment else None)
    except stripe_client.StripeOutcomeUnknown as e:
        report.stripe_error = e.message
        report.intents_checked = None
        report.totals.clear()
        return
    report.intents_checked = len(intents)


def _add_posted_but_not_listed(report, intents: dict, payments: dict, *, start, end) -> None:
    """Charges posted for payments created in the period whose intent Stripe did not list:
    fetched one by one (an intent created just outside the period is fine; one Stripe does not
    have is a difference)."""
    posted = (
        Payment.objects.filter(
            created_at__gte=report.start,
            created_at__lt=report.end,
            ledger_transactions__kind=T.CHARGE,
        )
        .exclude(stripe_payment_intent_id__in=list(intents))
        .distinct()
    )
    for payment in posted:
        try:
            intent = stripe_client.retrieve_payment_intent(payment.stripe_payment_intent_id or "")
        except stripe_client.StripeOutcomeUnknown:
            raise
        except stripe_client.StripeFailure as e:
            report.differences.append(
                f"payment {payment.pk}: its charge is posted, but Stripe has no intent "
                f"{payment.stripe_payment_intent_id} ({e.message})"
            )
            continue
        intent = intent.to_dict()
        if start <= intent.get("created", 0) < end:
            intents[intent["id"]] = intent
            payments[intent["id"]] = payment


def _compare_intent(report, intent: dict, payment: Payment | None, ledger) -> None:
    currency = str(intent.get("currency") or "").lower()
    totals = report.totals.setdefault(currency, CurrencyTotals())
    received = _stripe_received(intent)
    refunded = _stripe_refunded(intent) if received else 0
    ours = (ledger.charged, ledger.refunded) if ledger is not None else (0, 0)
    totals.stripe_charged += received
    totals.stripe_refunded += refunded
    totals.ledger_charged += ours[0]
    totals.ledger_refunded += ours[1]
    if (received, refunded) != ours:
        whose = f"payment {payment.pk}" if payment else "no payment row"
        report.differences.append(
            f"intent {intent['id']} ({whose}): Stripe received "
            f"{format_amount(received, currency)} {currency.upper()} and refunded "
            f"{format_amount(refunded, currency)}; the ledger has "
            f"{format_amount(ours[0], currency)} and {format_amount(ours[1], currency)}"
        )


def _stripe_received(intent: dict) -> int:
    """What the intent's charge brought in (the emulator has no amount_received: its amount
    once it succeeded)."""
    if intent.get("status") != "succeeded":
        return 0
    received = intent.get("amount_received")
    return received if isinstance(received, int) else int(intent.get("amount") or 0)


def _stripe_refunded(intent: dict) -> int:
    """The refunds of the intent that succeeded (listed only when its charge, when Stripe
    includes it, shows anything refunded)."""
    if stripe_objects.amount_refunded(intent) == 0:
        return 0
    return sum(
        r.amount
        for r in stripe_client.list_refunds(payment_intent_id=intent["id"])
        if r.status == "succeeded"
    )
