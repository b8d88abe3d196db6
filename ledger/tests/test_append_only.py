"""Posted transactions and entries never change, and a transaction that does not balance is
never stored: refused by the model layer on every database, and by the database itself (its
triggers) where it can, even when the ORM is bypassed."""

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.models import Account, AppendOnlyError, Entry, Transaction
from ledger.postings import Line, ledger_post_payment, post
from ledger.tests.factories import collected_payment

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers that check this are PostgreSQL's"
)


@pytest.fixture
def posted():
    """A charge posted to the ledger: its transaction (three entries)."""
    [charge] = ledger_post_payment(collected_payment(price=7500))
    return charge


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def check_deferred_constraints_now():
    """What COMMIT does: run the deferred constraint triggers (the test's transaction is never
    committed, so they would otherwise run only at its end)."""
    raw("SET CONSTRAINTS ALL IMMEDIATE")


# --- the model layer (SQLite and PostgreSQL) ----------------------------------------------------
def test_a_posted_entry_cannot_be_saved_again_or_deleted(posted):
    entry = posted.entries.first()
    entry.amount = 1

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        posted.delete()


def test_querysets_cannot_update_or_delete_entries_or_transactions(posted):
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(transaction=posted).update(amount=1)
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Transaction.objects.filter(pk=posted.pk).update(description="edited")
    with pytest.raises(AppendOnlyError):
        Transaction.objects.all().delete()
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-6375, -1125, 7500]


def test_an_unbalanced_transaction_is_refused_before_anything_is_written():
    with pytest.raises(AppendOnlyError, match="does not balance"):
        post(
            key="charge:pi_unbalanced",
            kind=Transaction.Kind.CHARGE,
            currency="usd",
            lines=[Line(Account.Kind.STRIPE_BALANCE, 100), Line(Account.Kind.PLATFORM_FEES, -99)],
        )
    assert not Transaction.objects.exists()
    assert not Entry.objects.exists()


def test_entries_cannot_be_added_to_a_posted_transaction(posted):
    fees = Account.objects.get(kind=Account.Kind.PLATFORM_FEES)
    again = Transaction.objects.get(pk=posted.pk)
    extra = [
        Entry(transaction=again, account=fees, currency="usd", amount=5),
        Entry(transaction=again, account=fees, currency="usd", amount=-5),
    ]

    with pytest.raises(AppendOnlyError, match="must be written with it"):
        Entry.objects.bulk_create(extra)
    with pytest.raises(AppendOnlyError):
        Entry.objects.create(transaction=again, account=fees, currency="usd", amount=5)
    assert posted.entries.count() == 3


# --- bypassing the ORM ---------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["ledger_entry", "ledger_transaction"])
def test_raw_sql_cannot_update_a_posted_row(posted, table):
    column = "amount = amount + 1" if table == "ledger_entry" else "description = 'edited'"

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {table} SET {column}")

    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-6375, -1125, 7500]
    assert Transaction.objects.get().description == posted.description


@postgresql_only
@pytest.mark.parametrize("table", ["ledger_entry", "ledger_transaction"])
def test_raw_sql_cannot_delete_a_posted_row(posted, table):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(f"DELETE FROM {table}")

    assert Entry.objects.count() == 3


@postgresql_only
def test_raw_sql_cannot_commit_an_unbalanced_transaction():
    account = Account.objects.create(kind=Account.Kind.STRIPE_BALANCE)

    unbalanced = "does not balance: its usd entries sum to 100"
    with pytest.raises(IntegrityError, match=unbalanced), transaction.atomic():
        raw(
            "INSERT INTO ledger_transaction (key, kind, stripe_id, description)"
            " VALUES ('raw', 'charge', '', '')"
        )
        txn = Transaction.objects.get(key="raw")
        for amount in (100, 50, -50):
            raw(
                "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
                " VALUES (%s, %s, 'usd', %s)",
                [txn.pk, account.pk, amount],
            )
        check_deferred_constraints_now()


@postgresql_only
def test_raw_sql_cannot_commit_a_transaction_with_a_single_entry():
    account = Account.objects.create(kind=Account.Kind.STRIPE_BALANCE)

    with pytest.raises(IntegrityError, match="has 0 entries"), transaction.atomic():
        raw(
            "INSERT INTO ledger_transaction (key, kind, stripe_id, description)"
            " VALUES ('empty', 'charge', '', '')"
        )
        check_deferred_constraints_now()
    with pytest.raises(IntegrityError, match="has 1 entries"), transaction.atomic():
        raw(
            "INSERT INTO ledger_transaction (key, kind, stripe_id, description)"
            " VALUES ('single', 'charge', '', '')"
        )
        raw(
            "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
            " SELECT id, %s, 'usd', 1 FROM ledger_transaction WHERE key = 'single'",
            [account.pk],
        )
        check_deferred_constraints_now()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_add_entries_to_a_transaction_committed_earlier():
    # Committed for real, as a webhook's posting is (this test runs outside a wrapping
    # transaction); then a later transaction tries to grow it with a balanced pair.
    [charge] = ledger_post_payment(collected_payment(price=7500))
    fees = Account.objects.get(kind=Account.Kind.PLATFORM_FEES)

    later = "entries are added with it only"
    with pytest.raises(IntegrityError, match=later), transaction.atomic():
        for amount in (5, -5):
            raw(
                "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
                " VALUES (%s, %s, 'usd', %s)",
                [charge.pk, fees.pk, amount],
            )

    assert charge.entries.count() == 3


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_transaction_fails_its_commit_and_leaves_nothing():
    account = Account.objects.create(kind=Account.Kind.STRIPE_BALANCE)

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        raw(
            "INSERT INTO ledger_transaction (key, kind, stripe_id, description)"
            " VALUES ('raw', 'charge', '', '')"
        )
        raw(
            "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
            " SELECT id, %s, 'usd', 100 FROM ledger_transaction WHERE key = 'raw'",
            [account.pk],
        )
        raw(
            "INSERT INTO ledger_entry (transaction_id, account_id, currency, amount)"
            " SELECT id, %s, 'eur', -100 FROM ledger_transaction WHERE key = 'raw'",
            [account.pk],
        )

    assert not Transaction.objects.exists()
