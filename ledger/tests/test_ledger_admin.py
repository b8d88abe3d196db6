"""The admin browses the ledger per payment and per trainer, shows balances and the last
verification, and changes nothing."""

import pytest
from django.core.management import call_command

from core.tests.factories import ClientFactory
from ledger.models import Account, Entry, Transaction, Verification
from ledger.postings import ledger_post_payment
from ledger.tests.factories import collected_payment, refund_row
from payments.apply.derivation import payment_derive

pytestmark = pytest.mark.django_db
TRANSACTIONS = "/admin/ledger/transaction/"


@pytest.fixture
def browser(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def two_payments():
    first = collected_payment(price=7500)
    ledger_post_payment(first)
    refund_row(first, 1000)
    payment_derive(first)
    ledger_post_payment(first)
    second = collected_payment(price=6000)
    ledger_post_payment(second)
    return first, second


def listed(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_it_lists_a_payments_transactions(browser, two_payments):
    first, _second = two_payments

    response = browser.get(TRANSACTIONS, {"payment__id__exact": first.pk})

    assert [t.kind for t in listed(response)] == [Transaction.Kind.REFUND, Transaction.Kind.CHARGE]
    page = response.content.decode()
    assert "75.00 USD" in page and "10.00 USD" in page and "60.00 USD" not in page
    searched = listed(browser.get(TRANSACTIONS, {"q": first.stripe_payment_intent_id}))
    assert [t.kind for t in searched] == [Transaction.Kind.CHARGE]


def test_it_lists_a_trainers_transactions_and_accounts(browser, two_payments):
    first, second = two_payments

    rows = listed(browser.get(TRANSACTIONS, {"trainer__id__exact": second.trainer_id}))
    assert [t.payment_id for t in rows] == [second.pk]
    by_email = listed(browser.get(TRANSACTIONS, {"q": first.trainer.user.email}))
    assert {t.payment_id for t in by_email} == {first.pk}
    payable = Account.objects.get(trainer=first.trainer)
    in_account = listed(browser.get(TRANSACTIONS, {"account": payable.pk}))
    assert {t.payment_id for t in in_account} == {first.pk}
    assert listed(browser.get(TRANSACTIONS, {"account": "²"})) == []

    accounts = browser.get("/admin/ledger/account/").content.decode()
    # 63.75 earned, 8.50 of the 10.00 refund borne by the trainer (the fee on it goes back too).
    assert "55.25 USD" in accounts
    assert "125.00 USD" in accounts  # the Stripe balance: 75.00 + 60.00 - 10.00


def test_it_shows_a_transaction_with_its_entries_read_only(browser, two_payments):
    charge = Transaction.objects.get(payment=two_payments[0], kind=Transaction.Kind.CHARGE)

    page = browser.get(f"{TRANSACTIONS}{charge.pk}/change/").content.decode()

    assert "63.75 USD" in page and "11.25 USD" in page and "75.00 USD" in page
    assert 'name="_save"' not in page


def test_nobody_edits_or_deletes_the_ledger_in_the_admin(browser, two_payments):
    charge = Transaction.objects.filter(kind=Transaction.Kind.CHARGE).first()

    assert browser.post(f"{TRANSACTIONS}{charge.pk}/change/", {"key": "x"}).status_code == 403
    assert browser.post(f"{TRANSACTIONS}{charge.pk}/delete/", {"post": "yes"}).status_code == 403
    assert browser.get(f"{TRANSACTIONS}add/").status_code == 403
    assert Transaction.objects.count() == 3 and Entry.objects.count() == 9


def test_it_shows_the_last_verification_first(browser, two_payments):
    call_command("verify_ledger", "--no-stripe", stdout=open("/dev/null", "w"))  # noqa: SIM115
    Verification.objects.update(started_at=Verification.objects.get().started_at.replace(year=2020))
    call_command("verify_ledger", "--no-stripe", stdout=open("/dev/null", "w"))  # noqa: SIM115

    rows = listed(browser.get("/admin/ledger/verification/"))

    assert rows[0].started_at.year != 2020 and rows[0].ok
    page = browser.get(f"/admin/ledger/verification/{rows[0].pk}/change/").content.decode()
    assert "The ledger agrees with the payment rows and Stripe." in page


def test_people_who_are_not_staff_are_sent_to_the_login(client, two_payments):
    client.force_login(ClientFactory())
    for path in (TRANSACTIONS, "/admin/ledger/account/", "/admin/ledger/verification/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
