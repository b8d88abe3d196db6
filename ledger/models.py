"""The double-entry ledger: every movement of money, in integer minor units, never changed.

An Account is one place money can be (the platform's Stripe balance, what we owe one trainer,
the fees we earned). A Transaction is one movement, posted once under a unique key made of the
Stripe object and the kind of movement ("refund:re_123"), with two or more Entries whose amounts
sum to zero per currency: a positive amount is a debit, a negative one a credit. Nothing is
ever changed or removed: a correction is a transaction of its own (a refund that failed after it
succeeded is reversed by a `refund_reversal`).

What guards that, whoever writes:
- PostgreSQL (migration 0002): triggers reject UPDATE and DELETE on transactions and entries,
  and entries added to a transaction after the database transaction that created it; a
  DEFERRABLE INITIALLY DEFERRED constraint trigger rejects, at commit, a transaction whose
  entries do not sum to zero in every currency, or that has fewer than two.
- SQLite: a trigger rejects UPDATE (SQLite has no deferred triggers, and a DELETE trigger would
  also refuse the test runner's flush); the model layer below refuses save() of an existing row,
  delete(), QuerySet.update() and .delete(), and entries written other than as whole, balanced,
  new transactions. `manage.py verify_ledger` finds what raw SQL could still do there.
"""

from collections import defaultdict

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class AppendOnlyError(Exception):
    """A write that would change or remove a ledger row, or post an unbalanced transaction."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no update.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no delete.")

    # The deletion collector's fast path, which skips delete() above.
    def _raw_delete(self, using):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no delete.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is posted: it never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is posted: it is never deleted.")


class TransactionStart(Now):
    """The time the current database transaction started. Django's Now() is the statement's
    time on PostgreSQL; CURRENT_TIMESTAMP there is the transaction's, the same for every
    statement in it (the entry trigger relies on that). SQLite keeps Now()'s own clock."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CURRENT_TIMESTAMP", **extra_context)


class Account(models.Model):
    """A place money can be. The platform's accounts have no trainer; TRAINER_PAYABLE is one
    account per trainer (a constraint). An account holds any currency: balances are per
    (account, currency)."""

    class Kind(models.TextChoices):
        # Assets: the platform's money at Stripe, and what Stripe withheld for open disputes.
        STRIPE_BALANCE = "stripe_balance", "Stripe balance"
        DISPUTES_PENDING = "disputes_pending", "Withheld for open disputes"
        # Liability: what the platform owes one trainer (their share of payments, less refunds
        # they bear, less what was transferred to their connected Stripe account).
        TRAINER_PAYABLE = "trainer_payable", "Payable to trainer"
        # Revenue, and what reduces it: the platform's fees, the part of refunds the platform
        # bears (its fee on the refunded part, or all of it when the trainer has nothing left),
        # and chargebacks lost.
        PLATFORM_FEES = "platform_fees", "Platform fee revenue"
        REFUNDS = "refunds", "Refunds borne by the platform"
        DISPUTE_LOSSES = "dispute_losses", "Dispute losses"

    # Accounts whose balance is the sum of their entries (assets and costs); the others show
    # the opposite, so every balance reads as a positive amount in the normal case.
    DEBIT_NORMAL = frozenset(
        {Kind.STRIPE_BALANCE, Kind.DISPUTES_PENDING, Kind.REFUNDS, Kind.DISPUTE_LOSSES}
    )

    kind = models.CharField(max_length=30, choices=Kind.choices)
    trainer = models.ForeignKey(
        "trainers.TrainerProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )

    class Meta:
        ordering = ["kind", "trainer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(trainer__isnull=True), name="ledger_account_platform"
            ),
            models.UniqueConstraint(
                fields=["kind", "trainer"],
                condition=Q(trainer__isnull=False),
                name="ledger_account_per_trainer",
            ),
            models.CheckConstraint(
                condition=Q(kind="trainer_payable", trainer__isnull=False)
                | (~Q(kind="trainer_payable") & Q(trainer__isnull=True)),
                name="ledger_account_trainer_iff_per_trainer",
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label}: {self.trainer.user.email}" if self.trainer_id else label

    @property
    def sign(self) -> int:
        """+1 when entries add to the balance as shown, -1 when they subtract."""
        return 1 if self.kind in self.DEBIT_NORMAL else -1


class Transaction(AppendOnlyModel):
    """One movement of money, posted exactly once under `key`."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge succeeded"
        REFUND = "refund", "Refund succeeded"
        REFUND_REVERSAL = "refund_reversal", "Refund failed after it succeeded"
        DISPUTE_OPENED = "dispute_opened", "Dispute opened: funds withheld"
        DISPUTE_WON = "dispute_won", "Dispute won: funds returned"
        DISPUTE_LOST = "dispute_lost", "Dispute lost"
        TRANSFER = "transfer", "Transfer to a trainer's connected account"
        TRANSFER_REVERSAL = "transfer_reversal", "Transfer reversed"
        DISPUTE_RECOVERY = "dispute_recovery", "Dispute lost: trainer's share recovered"

    # What a payment brought the trainer and the platform: its charge and refunds, not the
    # transfers that pay the trainer's share out.
    PAYMENT_KINDS = (Kind.CHARGE, Kind.REFUND, Kind.REFUND_REVERSAL)
    # How the platform settles the trainer's share with them: paid out, taken back, or (a
    # chargeback lost before it was paid) kept to cover the loss. Not part of what the payment
    # itself moved (ledger.selectors.payment_figures).
    SETTLEMENT_KINDS = (Kind.TRANSFER, Kind.TRANSFER_REVERSAL, Kind.DISPUTE_RECOVERY)

    # "<kind>:<Stripe object id>": whatever path brings a movement (webhook, reconciliation,
    # the API call's own answer), it is posted once.
    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    refund = models.ForeignKey(
        "payments.Refund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    # The trainer whose payable account the transaction moves (for browsing by trainer).
    trainer = models.ForeignKey(
        "trainers.TrainerProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    stripe_id = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    # The database's clock at the start of the database transaction that posts it: PostgreSQL's
    # entry trigger compares it with now() to refuse entries added by a later transaction.
    created_at = models.DateTimeField(db_default=TransactionStart(), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.key

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # This instance may now be given its entries, once (EntryQuerySet.bulk_create).
        self._awaiting_entries = True


class EntryQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Entries are written as whole transactions: every entry's transaction was just
        created in this process and has no entries yet, and the entries of each transaction
        sum to zero per currency (at least two of them, none zero)."""
        objs = list(objs)
        by_transaction: dict[int, list[Entry]] = defaultdict(list)
        for entry in objs:
            if not getattr(entry.transaction, "_awaiting_entries", False):
                raise AppendOnlyError(
                    f"Entries of transaction {entry.transaction_id} must be written with it."
                )
            if entry.amount == 0:
                raise AppendOnlyError("A ledger entry moves a non-zero amount.")
            by_transaction[entry.transaction_id].append(entry)
        for transaction_id, entries in by_transaction.items():
            unbalanced = unbalanced_currencies(entries)
            if len(entries) < 2 or unbalanced:
                raise AppendOnlyError(
                    f"Ledger transaction {transaction_id} does not balance: {unbalanced or entries}"
                )
        created = super().bulk_create(objs, *args, **kwargs)
        for entry in objs:
            entry.transaction._awaiting_entries = False
        return created


def unbalanced_currencies(entries) -> dict[str, int]:
    """{currency: sum} of the currencies whose entries do not sum to zero."""
    sums: dict[str, int] = defaultdict(int)
    for entry in entries:
        sums[entry.currency] += entry.amount
    return {currency: total for currency, total in sums.items() if total}


class Entry(AppendOnlyModel):
    """One side of a transaction: `amount` minor units of `currency`, + debit, - credit."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["account", "currency"], name="ledger_entry_balance")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
        ]

    def __str__(self):
        side = "debit" if self.amount > 0 else "credit"
        return f"{side} {abs(self.amount)} {self.currency} {self.account}"

    def save(self, *args, **kwargs):
        raise AppendOnlyError("Entries are written with their transaction (ledger.postings).")


class Verification(models.Model):
    """One run of `manage.py verify_ledger`: what it found, for the admin."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    # The Stripe comparison's window: the intents created in [period_start, period_end).
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    ok = models.BooleanField()
    # 0 everything agrees, 1 differences found, 2 Stripe could not be asked (nothing else wrong).
    exit_code = models.PositiveSmallIntegerField()
    differences = models.PositiveIntegerField(default=0)
    report = models.TextField()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Ledger check of {self.started_at:%Y-%m-%d %H:%M} UTC: {self.summary}"

    @property
    def summary(self) -> str:
        if self.ok:
            return "everything agrees"
        if self.exit_code == 2:
            return "Stripe could not be asked"
        return f"{self.differences} difference(s)"
