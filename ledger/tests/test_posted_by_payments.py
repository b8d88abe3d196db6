"""The payments code posts every movement of money to the ledger in the transaction that records
it, on every path that records one (webhook, reconciliation, the checkout's answer, a Dashboard
refund, a cancellation's refund, the refund in full of a late success), and once however often
Stripe tells us. 75.00 at a 15% fee: 11.25 to the platform, 63.75 to the trainer."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict
from core.tests.factories import BookingFactory, future
from ledger import postings
from ledger.models import Account, Transaction
from ledger.selectors import payment_figures
from payments.apply.intents import payment_apply_intent
from payments.models import Payment, Refund
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se
from payments.tests.checkout_helpers import card_set_up_for, pay

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
A = Account.Kind
T = Transaction.Kind
CHARGE = (T.CHARGE, {A.STRIPE_BALANCE: 7500, A.PLATFORM_FEES: -1125, A.TRAINER_PAYABLE: -6375})
FULL_REFUND = (T.REFUND, {A.STRIPE_BALANCE: -7500, A.TRAINER_PAYABLE: 6375, A.REFUNDS: 1125})


def posted(payment) -> list[tuple[str, dict[str, int]]]:
    """The payment's ledger transactions, oldest first: (kind, {account kind: amount})."""
    made = []
    for row in Transaction.objects.filter(payment=payment).order_by("id"):
        entries = {e.account.kind: e.amount for e in row.entries.select_related("account")}
        assert sum(entries.values()) == 0, f"{row.key} does not balance"
        made.append((row.kind, entries))
    return made


def assert_agrees_with_row(payment):
    """The ledger's figures of the payment equal the row's, to the cent."""
    payment.refresh_from_db()
    figures = payment_figures([payment.pk])[payment.pk]
    assert (figures.refunded, figures.trainer, figures.platform) == (
        payment.refund_amount,
        payment.net_trainer_payout,
        payment.net_platform_fee,
    )
    assert figures.trainer + figures.platform == payment.amount - payment.refund_amount


def succeeded_event(localstripe, intent_id) -> dict:
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    assert intent["status"] == "succeeded"
    return se.event("payment_intent.succeeded", intent)


@pytest.fixture
def paid(localstripe, stripe_requests, api):
    """paid(**BookingFactory kwargs) -> (booking, payment) paid through the checkout, its
    success applied by the webhook."""

    def make(**kwargs):
        booking = BookingFactory(**kwargs)
        stripe_requests.answer(card_set_up_for(booking))
        pay(booking)
        stripe_requests.answer(None)
        payment = Payment.objects.get(booking=booking)
        assert se.post(api, succeeded_event(localstripe, payment.stripe_payment_intent_id))
        payment.refresh_from_db()
        assert payment.status == "succeeded"
        return booking, payment

    return make


def test_the_checkouts_answer_posts_nothing_and_its_webhook_the_charge(
    localstripe, stripe_requests, api
):
    booking = BookingFactory()
    stripe_requests.answer(card_set_up_for(booking))
    assert pay(booking).status == "succeeded"
    payment = Payment.objects.get(booking=booking)
    # The checkout never applies a success itself (one writer of "paid": the webhook, with
    # reconciliation behind it), so neither the row nor the ledger shows money yet.
    assert (payment.status, posted(payment)) == ("pending", [])

    se.post(api, succeeded_event(localstripe, payment.stripe_payment_intent_id))

    assert posted(payment) == [CHARGE]
    assert_agrees_with_row(payment)


def test_a_webhooks_success_posts_the_charge_once_however_often_it_comes(
    api, localstripe, start_payment, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id)
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    event = se.event("payment_intent.succeeded", intent)

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            se.post(api, event),
            se.post(api, event),  # the same delivery again
            se.post(api, se.event("payment_intent.succeeded", intent)),  # another event
        ]

    assert [r.status_code for r in responses] == [200, 200, 200]
    payment = Payment.objects.get(stripe_payment_intent_id=intent_id)
    assert posted(payment) == [CHARGE]
    assert Transaction.objects.get().key == f"charge:{intent_id}"


def test_reconciliation_posts_a_charge_whose_webhook_was_lost(localstripe, start_payment, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    intent_id = start_payment(BookingFactory()).json()["payment_intent_id"]
    localstripe.confirm(intent_id)

    reconcile_payments()
    reconcile_payments()

    payment = Payment.objects.get(stripe_payment_intent_id=intent_id)
    assert payment.status == "succeeded"
    assert posted(payment) == [CHARGE]


@pytest.mark.parametrize(
    ("who", "keeps_fee", "refund"),
    [
        # 50% of 75.00 back; the fee is charged on the 37.50 kept (5.625 -> 5.63), so the
        # trainer's share falls 63.75 -> 31.87 and the platform's 11.25 -> 5.63.
        ("client", False, {A.STRIPE_BALANCE: -3750, A.TRAINER_PAYABLE: 3188, A.REFUNDS: 562}),
        # The fee is not refundable: 50% of 63.75 (31.875 -> 31.88), all of it the trainer's.
        ("client", True, {A.STRIPE_BALANCE: -3188, A.TRAINER_PAYABLE: 3188}),
        ("trainer", False, FULL_REFUND[1]),
        # A refund in full leaves nothing to keep a fee on, whatever the setting.
        ("trainer", True, FULL_REFUND[1]),
    ],
)
def test_a_cancellations_refund_is_borne_as_the_policy_and_fee_setting_say(
    paid, as_user, settings, who, keeps_fee, refund
):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = keeps_fee
    booking, payment = paid(start_time=future(5))
    user = booking.client if who == "client" else booking.trainer.user

    response = as_user(user).post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")

    assert response.status_code == 200, response.content
    assert posted(payment) == [CHARGE, (T.REFUND, refund)]
    assert Transaction.objects.get(kind=T.REFUND).refund == Refund.objects.get()
    assert_agrees_with_row(payment)


def test_a_trainers_refund_through_the_api_posts_once(paid, as_user):
    booking, payment = paid()
    api = as_user(booking.trainer.user)

    response = api.post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "10.00", "reason": "Late"},
        format="json",
    )

    assert response.status_code == 200, response.content
    # 65.00 kept: fee 9.75, the trainer 55.25; so the trainer bears 8.50 and the platform 1.50.
    assert posted(payment) == [
        CHARGE,
        (T.REFUND, {A.STRIPE_BALANCE: -1000, A.TRAINER_PAYABLE: 850, A.REFUNDS: 150}),
    ]
    assert_agrees_with_row(payment)


def test_a_dashboard_refund_posts_once_per_delivery_of_it(paid, api, localstripe):
    _booking, payment = paid()
    localstripe.sdk.v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": 2500}
    )
    refunds = [r.to_dict() for r in localstripe.refunds(payment.stripe_payment_intent_id)]
    event = se.event("charge.refunded", se.charge(payment, refunds=refunds))

    assert [se.post(api, event).status_code for _ in range(2)] == [200, 200]
    assert se.post(api, se.event("charge.refunded", event["data"]["object"])).status_code == 200

    assert Refund.objects.get().source == Refund.Source.DASHBOARD
    # 50.00 kept: fee 7.50, the trainer 42.50.
    assert posted(payment) == [
        CHARGE,
        (T.REFUND, {A.STRIPE_BALANCE: -2500, A.TRAINER_PAYABLE: 2125, A.REFUNDS: 375}),
    ]
    assert_agrees_with_row(payment)


def test_a_dashboard_refund_delivered_before_the_success_posts_with_the_charge(api):
    payment = se.payment(status="pending", stripe_charge_id="ch_early_1")
    refund = se.post(
        api, se.event("charge.refunded", se.charge(payment, refunds=[se.refund("re_d1", 7500)]))
    )
    assert refund.status_code == 200
    assert posted(payment) == []  # nothing collected yet: no money we recognise moved

    payment.refresh_from_db()
    payment.status = Payment.Status.PROCESSING
    payment.save()
    payment_apply_intent(payment, se.intent(payment, status="succeeded", amount_received=7500))

    assert posted(payment) == [CHARGE, FULL_REFUND]
    assert_agrees_with_row(payment)


def test_a_refund_that_fails_after_succeeding_is_reversed_once(paid, as_user, api):
    booking, payment = paid()
    as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "10.00", "reason": "Late"},
        format="json",
    )
    row = Refund.objects.get()
    failed = {
        "id": row.stripe_refund_id,
        "object": "refund",
        "amount": 1000,
        "currency": "usd",
        "status": "failed",
        "failure_reason": "expired_or_canceled_card",
        "payment_intent": payment.stripe_payment_intent_id,
        "metadata": {"refund_id": str(row.pk)},
    }

    for _ in range(2):
        assert se.post(api, se.event("refund.failed", failed)).status_code == 200

    assert posted(payment) == [
        CHARGE,
        (T.REFUND, {A.STRIPE_BALANCE: -1000, A.TRAINER_PAYABLE: 850, A.REFUNDS: 150}),
        (T.REFUND_REVERSAL, {A.STRIPE_BALANCE: 1000, A.TRAINER_PAYABLE: -850, A.REFUNDS: -150}),
    ]
    assert_agrees_with_row(payment)


def test_a_late_success_refunded_in_full_posts_the_charge_and_its_refund(
    localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    card = card_set_up_for(booking)

    def cancel_in_another_tab(request):
        if request.method == "POST" and request.path == "/v1/payment_intents":
            response = as_user(booking.client).post(
                f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json"
            )
            assert response.status_code == 200
        return card(request)

    stripe_requests.answer(cancel_in_another_tab)
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        pay(booking)
    stripe_requests.answer(None)
    reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))

    payment = Payment.objects.get()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    assert posted(payment) == [CHARGE, FULL_REFUND]
    assert payment_figures([payment.pk])[payment.pk].received == 0


@pytest.mark.parametrize(
    ("outcome", "last"),
    [
        ("won", [(T.DISPUTE_WON, {A.STRIPE_BALANCE: 7500, A.DISPUTES_PENDING: -7500})]),
        (
            "lost",
            [
                (T.DISPUTE_LOST, {A.DISPUTE_LOSSES: 7500, A.DISPUTES_PENDING: -7500}),
                # Not transferred yet: the trainer's share recovers part of the loss.
                (T.DISPUTE_RECOVERY, {A.TRAINER_PAYABLE: 6375, A.DISPUTE_LOSSES: -6375}),
            ],
        ),
    ],
)
def test_a_chargeback_posts_its_opening_and_outcome_once(paid, api, outcome, last):
    _booking, payment = paid()
    opened = (T.DISPUTE_OPENED, {A.DISPUTES_PENDING: 7500, A.STRIPE_BALANCE: -7500})
    for status in ("needs_response", "needs_response", "under_review"):
        evt = se.event("charge.dispute.updated", se.dispute(payment, status=status))
        assert se.post(api, evt).status_code == 200
    assert posted(payment) == [CHARGE, opened]

    for _ in range(2):
        evt = se.event("charge.dispute.closed", se.dispute(payment, status=outcome))
        assert se.post(api, evt).status_code == 200

    assert posted(payment) == [CHARGE, opened, *last]


def test_an_inquiry_posts_nothing_until_it_becomes_a_chargeback(paid, api):
    _booking, payment = paid()
    inquiry = se.event(
        "charge.dispute.created", se.dispute(payment, status="warning_needs_response")
    )
    assert se.post(api, inquiry).status_code == 200
    assert posted(payment) == [CHARGE]

    chargeback = se.event("charge.dispute.updated", se.dispute(payment, status="needs_response"))
    assert se.post(api, chargeback).status_code == 200

    assert posted(payment) == [
        CHARGE,
        (T.DISPUTE_OPENED, {A.DISPUTES_PENDING: 7500, A.STRIPE_BALANCE: -7500}),
    ]


def test_a_success_whose_posting_fails_is_not_recorded_either(
    api, localstripe, start_payment, monkeypatch
):
    intent_id = start_payment(BookingFactory()).json()["payment_intent_id"]
    localstripe.confirm(intent_id)
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()

    def refuse(**kwargs):
        raise postings.AppendOnlyError("the ledger refused")

    monkeypatch.setattr(postings, "post", refuse)
    response = se.post(api, se.event("payment_intent.succeeded", intent))

    assert response.status_code == 500
    assert Payment.objects.get(stripe_payment_intent_id=intent_id).status == "pending"
    assert not Transaction.objects.exists()
