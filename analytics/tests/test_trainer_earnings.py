import datetime as dt

import pytest
from django.utils import timezone

from analytics.selectors import trainer_earnings_by_month
from analytics.tests.data import make_payment, refund
from core.tests.factories import ClientFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics/earnings/"


def month_start(months_ago: int) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC)
    index = today.year * 12 + today.month - 1 - months_ago
    return dt.datetime(index // 12, index % 12 + 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def earnings_trainer():
    trainer = TrainerProfileFactory()
    other = TrainerProfileFactory()
    client = ClientFactory()
    S = Payment.Status
    this_month, last_month = month_start(0), month_start(1)
    make_payment(trainer, client, 10000, S.SUCCEEDED, this_month)
    paid = make_payment(trainer, client, 8000, S.SUCCEEDED, this_month + dt.timedelta(hours=1))
    refund(paid, 2000)
    make_payment(trainer, client, 5000, S.SUCCEEDED, last_month)
    make_payment(
        trainer, client, 6000, S.DISPUTED, last_month, dispute_id="dp_1", dispute_status="lost"
    )
    make_payment(trainer, client, 7000, S.FAILED, last_month)
    make_payment(trainer, client, 3000, S.SUCCEEDED, month_start(13))  # outside 12 months
    make_payment(other, client, 9900, S.SUCCEEDED, this_month)
    return trainer


def test_it_sums_gross_fee_net_and_refunds_per_month(earnings_trainer):
    rows = trainer_earnings_by_month(earnings_trainer)
    assert len(rows) == 12
    assert rows[0] == {
        "month": month_start(0).date(),
        "currency": "usd",
        "payments": 2,
        "gross": 18000,
        "fee": 2400,
        "net": 13600,
        "disputes_lost": 0,
        "refunds": 2000,
    }
    # The chargeback lost last month leaves the trainer nothing of its 60.00: their 51.00 share
    # is recovered from them, so it is not in net (fee + net + disputes_lost = gross - refunds).
    last = rows[1]
    assert (last["payments"], last["gross"], last["fee"]) == (2, 11000, 1650)
    assert (last["net"], last["disputes_lost"]) == (4250, 5100)
    assert all(r["gross"] == 0 for r in rows[2:])
    assert rows[-1]["month"] == month_start(11).date()


def test_it_gives_a_trainer_their_own_earnings(as_user, earnings_trainer):
    response = as_user(earnings_trainer.user).get(URL, {"months": "2"})
    assert response.status_code == 200
    body = response.json()
    assert body["trainer_id"] == earnings_trainer.id
    assert body["months"][0] == {
        "month": month_start(0).strftime("%Y-%m"),
        "currency": "usd",
        "payments": 2,
        "gross": "180.00",
        "fee": "24.00",
        "net": "136.00",
        "refunds": "20.00",
        "disputes_lost": "0.00",
    }
    assert (body["months"][1]["net"], body["months"][1]["disputes_lost"]) == ("42.50", "51.00")
    assert len(body["months"]) == 2


def test_it_refuses_clients_and_admins(as_user, client_user, admin_user):
    for user in (client_user, admin_user):
        response = as_user(user).get(URL)
        assert response.status_code == 403
        assert "error" in response.json()


@pytest.mark.parametrize("months", ["0", "37", "-1", "twelve", "1.5", "\u00b2", "9" * 5000])
def test_it_refuses_a_bad_number_of_months(as_user, trainer, months):
    response = as_user(trainer.user).get(URL, {"months": months})
    assert response.status_code == 400
    assert response.json()["error"].startswith("months:")
