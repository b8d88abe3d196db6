"""Balances read from the ledger, per currency, in integer minor units.

Every figure is a sum of entries shown with its account's normal sign (ledger.models.Account:
what the platform has and has spent read positive, what it owes and has earned too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from ledger.models import Account, Entry, Transaction

A = Account.Kind
T = Transaction.Kind


def account_balances(
    entries: QuerySet[Entry] | None = None,
) -> dict[tuple[str, int | None, str], int]:
    """{(account kind, trainer id or None, currency): balance} of every account with entries."""
    rows = (
        (entries if entries is not None else Entry.objects.all())
        .values_list("account__kind", "account__trainer_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {
        (kind, trainer_id, currency): total * (1 if kind in Account.DEBIT_NORMAL else -1)
        for kind, trainer_id, currency, total in rows
    }


def trainer_owed(trainer_id: int) -> dict[str, int]:
    """{currency: what the platform owes the trainer}: their shares of payments, less the
    refunds they bear, less what was transferred to them (negative: they owe money back)."""
    balances = account_balances(
        Entry.objects.filter(account__kind=A.TRAINER_PAYABLE, account__trainer_id=trainer_id)
    )
    return {currency: amount for (_k, _t, currency), amount in balances.items()}


def payment_trainer_payable(payment_id: int) -> int:
    """What the platform still owes the trainer of one payment: their share after refunds,
    less what was transferred, plus what was taken back from them, less what a lost chargeback
    recovered (negative: they hold more of it than the payment leaves them)."""
    total = Entry.objects.filter(
        account__kind=A.TRAINER_PAYABLE, transaction__payment_id=payment_id
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or 0)


def trainers_earned(trainer_id: int | None = None) -> dict[tuple[int, str], int]:
    """{(trainer id, currency): the trainers' shares of payments after refunds, less what lost
    chargebacks recovered of them}, before any transfer: what the earnings page calls net."""
    entries = Entry.objects.filter(
        account__kind=A.TRAINER_PAYABLE, transaction__kind__in=Transaction.PAYMENT_KINDS
    )
    if trainer_id is not None:
        entries = entries.filter(account__trainer_id=trainer_id)
    earned = {
        (t, currency): amount for (_k, t, currency), amount in account_balances(entries).items()
    }
    for key, recovered in trainers_recovered(trainer_id).items():
        earned[key] = earned.get(key, 0) - recovered
    return earned


def trainers_recovered(trainer_id: int | None = None) -> dict[tuple[int, str], int]:
    """{(trainer id, currency): the trainers' shares that lost chargebacks recovered}: the
    credits to the dispute losses of a dispute_recovery (a share not transferred yet) and of a
    transfer reversal after the loss (ledger.postings), by the trainer the movement is about."""
    entries = Entry.objects.filter(
        account__kind=A.DISPUTE_LOSSES,
        transaction__kind__in=(T.DISPUTE_RECOVERY, T.TRANSFER_REVERSAL),
    )
    if trainer_id is not None:
        entries = entries.filter(transaction__trainer_id=trainer_id)
    rows = (
        entries.values_list("transaction__trainer_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(t, currency): -total for t, currency, total in rows if total}


@dataclass(frozen=True)
class PlatformRevenue:
    fees: int  # every fee earned on a collected payment
    refunds: int  # the part of refunds the platform bore (its fee on the refunded part, ...)
    dispute_losses: int

    @property
    def net_of_refunds(self) -> int:
        """Fees less the refunds the platform bore: analytics' net platform fees."""
        return self.fees - self.refunds


def platform_revenue() -> dict[str, PlatformRevenue]:
    """{currency: the platform's fees, refunds it bore and disputes it lost}."""
    kinds = (A.PLATFORM_FEES, A.REFUNDS, A.DISPUTE_LOSSES)
    balances = account_balances(Entry.objects.filter(account__kind__in=kinds))
    by_currency: dict[str, dict[str, int]] = defaultdict(dict)
    for (kind, _t, currency), amount in balances.items():
        by_currency[currency][kind] = amount
    return {
        currency: PlatformRevenue(
            fees=figures.get(A.PLATFORM_FEES, 0),
            refunds=figures.get(A.REFUNDS, 0),
            dispute_losses=figures.get(A.DISPUTE_LOSSES, 0),
        )
        for currency, figures in sorted(by_currency.items())
    }


@dataclass(frozen=True)
class PaymentFigures:
    """What the ledger holds of one payment."""

    charged: int  # the charge posted (the payment's amount once it is collected)
    received: int  # in the Stripe balance: charged, less refunds and what a dispute withheld
    refunded: int  # refunds posted, less the ones reversed
    trainer: int  # the trainer's share after refunds (before it is settled: SETTLEMENT_KINDS)
    platform: int  # the platform's fee after the refunds it bore
    withheld: int  # held by Stripe for an open dispute
    lost: int  # lost to a dispute (before the trainer's share recovers part of it)


def payment_figures(payment_ids=None) -> dict[int, PaymentFigures]:
    """{payment id: PaymentFigures} for the given payments (all with postings when None)."""
    entries = Entry.objects.filter(transaction__payment__isnull=False).exclude(
        transaction__kind__in=Transaction.SETTLEMENT_KINDS
    )
    if payment_ids is not None:
        entries = entries.filter(transaction__payment_id__in=payment_ids)
    by_kind = {
        "charges": Q(transaction__kind=T.CHARGE),
        "refunds": Q(transaction__kind__in=(T.REFUND, T.REFUND_REVERSAL)),
    }
    rows = (
        entries.values_list("transaction__payment_id", "account__kind")
        .annotate(
            total=Sum("amount"), **{name: Sum("amount", filter=q) for name, q in by_kind.items()}
        )
        .order_by()
    )
    sums: dict[int, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for payment_id, kind, total, charges, refunds in rows:
        sums[payment_id][kind] = (total, charges or 0, refunds or 0)
    figures = {}
    for payment_id, kinds in sums.items():
        balance = kinds.get(A.STRIPE_BALANCE, (0, 0, 0))

        def total(kind, kinds=kinds):
            return kinds.get(kind, (0, 0, 0))[0]

        figures[payment_id] = PaymentFigures(
            charged=balance[1],
            received=balance[0],
            refunded=-balance[2],
            trainer=-total(A.TRAINER_PAYABLE),
            platform=-total(A.PLATFORM_FEES) - total(A.REFUNDS),
            withheld=total(A.DISPUTES_PENDING),
            lost=total(A.DISPUTE_LOSSES),
        )
    return figures
