"""Posting movements of money to the ledger, each exactly once.

`ledger_post_payment(payment)` is the one call the payments code makes: after any change to a
payment, its refunds or its dispute, in the same database transaction and holding the
payment's row lock, it posts every movement the rows show and the ledger lacks. So a state
change and its posting exist together or not at all, the order in which Stripe's events arrive
does not matter (a Dashboard refund recorded before the charge's success is posted right after
the charge), and two deliveries of one event cannot post it twice: each movement's key
("<kind>:<Stripe object id>") is unique.

Who bears a refund follows Payment.payout_after_refunds (the cancellation policy's fee
setting): each refund moves the trainer's share of the payment, as the ledger holds it, to
what that function says the trainer keeps after all refunds so far; the platform bears the
rest. So the ledger's figures equal the payment row's net fee and payout to the cent, whatever
the order of the refunds, and rounding is never split twice.

A dispute moves money only once it is a chargeback (Stripe withdraws the disputed amount; an
inquiry, status warning_*, withdraws nothing): opened withholds what the refunds left of the
charge, won returns it, lost makes it a loss the platform books in full. The trainer keeps
nothing of a lost chargeback: what they were still owed of the payment (their share after
refunds, when it was not transferred yet) recovers that part of the loss in the same
transaction (post_dispute_recovery); a share already transferred recovers it when it is taken
back (post_transfer_reversal). Either way the trainer ends owed nothing of the payment and the
platform's net loss is its fee on what the chargeback took.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from ledger.models import Account, AppendOnlyError, Entry, Transaction
from ledger.selectors import payment_figures, payment_trainer_payable
from payments.models import Payment, Refund

A = Account.Kind
T = Transaction.Kind

# Dispute statuses of a chargeback (money withdrawn), and the final ones among them.
CHARGEBACK_STATUSES = frozenset({"needs_response", "under_review", "won", "lost"})


@dataclass(frozen=True)
class Line:
    """One entry to post: `amount` minor units to the account `kind` (of `trainer_id` for a
    per-trainer account), + debit, - credit."""

    kind: str
    amount: int
    trainer_id: int | None = None


def post(
    *,
    key: str,
    kind: str,
    currency: str,
    lines: Iterable[Line],
    payment: Payment | None = None,
    refund: Refund | None = None,
    trainer_id: int | None = None,
    stripe_id: str = "",
    description: str = "",
) -> Transaction | None:
    """Post one balanced transaction under `key`; None (nothing posted) when the key is.

    Lines of zero are left out; the others must sum to zero (AppendOnlyError before anything
    is written otherwise; the model layer and PostgreSQL check the entries again).
    """
    lines = [line for line in lines if line.amount]
    if len(lines) < 2 or sum(line.amount for line in lines):
        raise AppendOnlyError(f"Ledger transaction {key} does not balance: {lines}")
    if Transaction.objects.filter(key=key).exists():
        return None
    with transaction.atomic(savepoint=False):
        accounts = _accounts({(line.kind, line.trainer_id) for line in lines})
        posted = Transaction.objects.create(
            key=key,
            kind=kind,
            payment=payment,
            refund=refund,
            trainer_id=trainer_id,
            stripe_id=stripe_id,
            description=description,
        )
        Entry.objects.bulk_create(
            Entry(
                transaction=posted,
                account_id=accounts[line.kind, line.trainer_id],
                currency=currency,
                amount=line.amount,
            )
            for line in lines
        )
    return posted


def _accounts(wanted: set[tuple[str, int | None]]) -> dict[tuple[str, int | None], int]:
    """{(kind, trainer_id): account id}, creating the accounts not there yet (one query when
    they all are)."""
    match = Q(pk__in=[])
    for kind, trainer_id in wanted:
        match |= (
            Q(kind=kind, trainer_id=trainer_id)
            if trainer_id
            else Q(kind=kind, trainer__isnull=True)
        )
    found = {
        (k, t): pk
        for pk, k, t in Account.objects.filter(match).values_list("pk", "kind", "trainer_id")
    }
    for kind, trainer_id in wanted - found.keys():
        # get_or_create: another transaction may create the same account at the same moment.
        account, _ = Account.objects.get_or_create(kind=kind, trainer_id=trainer_id)
        found[kind, trainer_id] = account.pk
    return found


# --- Payments ----------------------------------------------------------------------------------
def ledger_post_payment(payment: Payment) -> list[Transaction]:
    """Post what `payment`'s rows show and the ledger lacks: its charge once it is collected,
    each refund that succeeded, the reversal of a refund that failed after succeeding, and its
    dispute's withdrawal, return or loss. Returns the transactions posted now.

    Call it holding the payment's row lock, inside the transaction that changed the payment,
    its refunds or its dispute. A payment that is not collected (still open, canceled, or in
    review because Stripe's success disagreed with it) has moved no money we recognise.
    """
    if payment.status not in Payment.COLLECTED_STATUSES:
        return []
    posted = set(Transaction.objects.filter(payment=payment).values_list("key", flat=True))
    made = [post_charge(payment)] if charge_key(payment) not in posted else []
    for refund in payment.refunds.exclude(stripe_refund_id=None).order_by("id"):
        key = refund_key(refund)
        if refund.status == Refund.Status.SUCCEEDED and key not in posted:
            made.append(post_refund(refund))
        elif (
            refund.status == Refund.Status.FAILED
            and key in posted
            and refund_reversal_key(refund) not in posted
        ):
            made.append(post_refund_reversal(refund))
    made += _post_dispute(payment, posted)
    return [t for t in made if t is not None]


def charge_key(payment: Payment) -> str:
    return f"charge:{_stripe_id(payment.stripe_payment_intent_id, payment)}"


def refund_key(refund: Refund) -> str:
    return f"refund:{_stripe_id(refund.stripe_refund_id, refund)}"


def refund_reversal_key(refund: Refund) -> str:
    return f"refund_reversal:{_stripe_id(refund.stripe_refund_id, refund)}"


def _stripe_id(value: str | None, row) -> str:
    if not value:
        raise ValueError(f"{row} moved money but has no Stripe id to post it under.")
    return value


def post_charge(payment: Payment) -> Transaction | None:
    """The charge succeeded: the client's money is in the Stripe balance, the fee is the
    platform's revenue and the rest is owed to the trainer."""
    return post(
        key=charge_key(payment),
        kind=T.CHARGE,
        currency=payment.currency,
        payment=payment,
        trainer_id=payment.trainer_id,
        stripe_id=payment.stripe_payment_intent_id or "",
        description=f"Payment {payment.pk} of booking {payment.booking_id} collected.",
        lines=[
            Line(A.STRIPE_BALANCE, payment.amount),
            Line(A.PLATFORM_FEES, -payment.platform_fee_amount),
            Line(A.TRAINER_PAYABLE, -payment.trainer_payout_amount, payment.trainer_id),
        ],
    )


def _refund_lines(payment: Payment, money: int) -> list[Line]:
    """Lines moving `money` into the Stripe balance (negative: out of it, a refund) and the
    trainer's share to what Payment.payout_after_refunds says they keep once the ledger's
    refunds so far, less `money`, are refunded; the platform's refunds account takes the rest."""
    before = payment_figures([payment.pk])[payment.pk]
    refunded_after = min(max(before.refunded - money, 0), payment.amount)
    trainer_change = payment.payout_after_refunds(refunded_after) - before.trainer
    return [
        Line(A.STRIPE_BALANCE, money),
        Line(A.TRAINER_PAYABLE, -trainer_change, payment.trainer_id),
        Line(A.REFUNDS, -money + trainer_change),
    ]


def post_refund(refund: Refund) -> Transaction | None:
    """A refund succeeded: the money left the Stripe balance; the trainer bears the part of it
    that their share loses under the policy, the platform the rest."""
    key = refund_key(refund)
    if Transaction.objects.filter(key=key).exists():
        return None
    payment = refund.payment
    return post(
        key=key,
        kind=T.REFUND,
        currency=payment.currency,
        payment=payment,
        refund=refund,
        trainer_id=payment.trainer_id,
        stripe_id=refund.stripe_refund_id or "",
        description=f"Refund {refund.pk} of payment {payment.pk} ({refund.get_source_display()}).",
        lines=_refund_lines(payment, -refund.amount),
    )


def post_refund_reversal(refund: Refund) -> Transaction | None:
    """A refund Stripe had reported succeeded failed after all (the card was closed, say): the
    money is back in the Stripe balance and the shares go back to what the remaining refunds
    leave."""
    key = refund_reversal_key(refund)
    if Transaction.objects.filter(key=key).exists():
        return None
    payment = refund.payment
    return post(
        key=key,
        kind=T.REFUND_REVERSAL,
        currency=payment.currency,
        payment=payment,
        refund=refund,
        trainer_id=payment.trainer_id,
        stripe_id=refund.stripe_refund_id or "",
        description=f"Refund {refund.pk} of payment {payment.pk} failed after it succeeded.",
        lines=_refund_lines(payment, refund.amount),
    )


def _post_dispute(payment: Payment, posted: set[str]) -> list[Transaction | None]:
    status = payment.dispute_status
    if not payment.dispute_id or status not in CHARGEBACK_STATUSES:
        return []
    made = []
    if f"{T.DISPUTE_OPENED.value}:{payment.dispute_id}" not in posted:
        left = payment.amount - payment_figures([payment.pk])[payment.pk].refunded
        made.append(_dispute_post(payment, T.DISPUTE_OPENED, A.DISPUTES_PENDING, left))
    outcome = {"won": (T.DISPUTE_WON, A.STRIPE_BALANCE), "lost": (T.DISPUTE_LOST, A.DISPUTE_LOSSES)}
    if status in outcome and f"{outcome[status][0].value}:{payment.dispute_id}" not in posted:
        kind, to = outcome[status]
        withheld = payment_figures([payment.pk])[payment.pk].withheld
        made.append(_dispute_post(payment, kind, to, withheld))
    if status == "lost" and dispute_recovery_key(payment) not in posted:
        made.append(post_dispute_recovery(payment))
    return made


def dispute_recovery_key(payment: Payment) -> str:
    return f"{T.DISPUTE_RECOVERY.value}:{payment.dispute_id}"


def post_dispute_recovery(payment: Payment) -> Transaction | None:
    """A chargeback lost: the client has the money back, so the trainer's share of it is no
    longer owed to them. What the platform still owes them of this payment (their share after
    refunds, none of it transferred yet) recovers that much of the dispute loss, once per
    dispute. Nothing when it was transferred: the payment then owes them nothing, and the
    transfer's reversal recovers the share (post_transfer_reversal). A transfer Stripe makes
    after this (it was on its way) leaves the trainer owing it back; its reversal settles
    that, recovering nothing twice."""
    owed = payment_trainer_payable(payment.pk)
    if owed <= 0:
        return None
    return post(
        key=dispute_recovery_key(payment),
        kind=T.DISPUTE_RECOVERY,
        currency=payment.currency,
        payment=payment,
        trainer_id=payment.trainer_id,
        stripe_id=payment.dispute_id,
        description=f"Dispute {payment.dispute_id} of payment {payment.pk} lost: the trainer's "
        "share, never paid to them, recovers part of the loss.",
        lines=[
            Line(A.TRAINER_PAYABLE, owed, payment.trainer_id),
            Line(A.DISPUTE_LOSSES, -owed),
        ],
    )


def _dispute_post(payment: Payment, kind: str, to: str, amount: int) -> Transaction | None:
    """Move `amount` to the account `to` from where the dispute's money was: the Stripe
    balance when it opens, the withheld funds when it closes."""
    if amount <= 0:
        return None
    source = A.STRIPE_BALANCE if kind == T.DISPUTE_OPENED else A.DISPUTES_PENDING
    return post(
        key=f"{T(kind).value}:{payment.dispute_id}",
        kind=kind,
        currency=payment.currency,
        payment=payment,
        stripe_id=payment.dispute_id,
        description=f"Dispute {payment.dispute_id} of payment {payment.pk}: "
        f"{T(kind).label.lower()}.",
        lines=[Line(to, amount), Line(source, -amount)],
    )


# --- Transfers to trainers' connected accounts ---------------------------------------------------
def post_transfer(
    *, transfer_id: str, trainer_id: int, amount: int, currency: str, payment: Payment | None
) -> Transaction | None:
    """A Transfer of a trainer's share to their connected Stripe account: the platform no longer
    owes it, and it left the platform's Stripe balance."""
    return post(
        key=f"transfer:{transfer_id}",
        kind=T.TRANSFER,
        currency=currency,
        payment=payment,
        trainer_id=trainer_id,
        stripe_id=transfer_id,
        description=f"Transfer {transfer_id} to the trainer's connected account.",
        lines=[Line(A.TRAINER_PAYABLE, amount, trainer_id), Line(A.STRIPE_BALANCE, -amount)],
    )


def post_transfer_reversal(
    *,
    reversal_id: str,
    trainer_id: int,
    amount: int,
    currency: str,
    payment: Payment | None,
    for_lost_chargeback: bool = False,
) -> Transaction | None:
    """A Transfer reversed: the money is back in the platform's Stripe balance. A refund
    posted after the transfer leaves the trainer's payable negative (what they owe back); the
    reversal of their part brings it back to zero. A lost chargeback is posted as the platform's
    loss in full, so taking the trainer's share back after one (`for_lost_chargeback`) recovers
    part of that loss instead of making the platform owe the trainer again, once what the
    trainer owes back of the payment is settled: a refund's part of the share (its reversal may
    succeed after the chargeback is lost), or a share the chargeback already recovered
    (post_dispute_recovery) before Stripe made a transfer that was on its way. So whatever the
    order, the trainer ends owing nothing and the share recovers the loss once."""
    to_payable = amount
    if for_lost_chargeback:
        owes_back = -payment_trainer_payable(payment.pk) if payment is not None else 0
        to_payable = min(amount, max(owes_back, 0))
    return post(
        key=f"transfer_reversal:{reversal_id}",
        kind=T.TRANSFER_REVERSAL,
        currency=currency,
        payment=payment,
        trainer_id=trainer_id,
        stripe_id=reversal_id,
        description=f"Transfer reversal {reversal_id} from the trainer's connected account.",
        lines=[
            Line(A.STRIPE_BALANCE, amount),
            Line(A.TRAINER_PAYABLE, -to_payable, trainer_id),
            Line(A.DISPUTE_LOSSES, -(amount - to_payable)),
        ],
    )


# --- Catching up ----------------------------------------------------------------------------------
def payments_to_post() -> QuerySet[Payment]:
    """Collected payments with a movement the ledger lacks: no charge posted, a succeeded refund
    not posted, a failed one posted but not reversed, or a chargeback (each checked in full by
    ledger_post_payment, which posts only what is missing)."""
    postings = Transaction.objects.filter(payment=OuterRef("pk"))
    refund_postings = Transaction.objects.filter(refund=OuterRef("pk"))
    refunds = Refund.objects.filter(payment=OuterRef("pk")).exclude(stripe_refund_id=None)
    unposted_refund = refunds.filter(status=Refund.Status.SUCCEEDED).exclude(
        Exists(refund_postings.filter(kind=T.REFUND))
    )
    unreversed_refund = refunds.filter(
        Exists(refund_postings.filter(kind=T.REFUND)), status=Refund.Status.FAILED
    ).exclude(Exists(refund_postings.filter(kind=T.REFUND_REVERSAL)))
    return Payment.objects.filter(status__in=Payment.COLLECTED_STATUSES).filter(
        ~Exists(postings.filter(kind=T.CHARGE))
        | Exists(unposted_refund)
        | Exists(unreversed_refund)
        | Q(dispute_status__in=CHARGEBACK_STATUSES)
    )


def ledger_catch_up() -> int:
    """Post what every payment's rows show and the ledger lacks (payments collected before the
    ledger existed); each payment under its own lock and transaction. Returns the number of
    transactions posted. Idempotent: a second run posts nothing."""
    posted = 0
    for payment_id in list(payments_to_post().order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            posted += len(ledger_post_payment(payment))
    return posted
