import pytest

from analytics.selectors import DEFINITIONS
from analytics.tests.data import make_dataset
from core.tests.factories import ClientFactory
from payments.models import Payment, Refund

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics/summary/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def data():
    return make_dataset()


def test_it_returns_exact_figures_as_decimal_strings_per_currency(as_user, admin_user, data):
    response = as_user(admin_user).get(URL, MARCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["bucket"], body["sort"], body["top"]) == (
        "2026-03-01",
        "2026-03-31",
        "day",
        "gross",
        10,
    )
    assert body["currencies"]["usd"] == {
        "payments": 7,
        "succeeded": 5,
        "failed": 1,
        "canceled": 1,
        "in_progress": 0,
        "gross_revenue": "300.00",
        "platform_fees": "31.50",
        "trainer_payouts": "136.00",
        "disputes_recovered_amount": "42.50",
        "refund_count": 2,
        "refunded": "90.00",
        "dashboard_refund_count": 1,
        "dashboard_refund_amount": "60.00",
        "refund_rate_percent": "30.00",
        "success_rate_percent": "83.33",
        "disputes": 1,
        "disputed_amount": "50.00",
        "disputes_lost_amount": "7.50",
        "net_revenue": "160.00",
    }
    assert body["currencies"]["eur"]["gross_revenue"] == "120.00"
    assert body["currencies"]["eur"]["success_rate_percent"] == "50.00"
    assert body["definitions"] == DEFINITIONS


def test_it_lists_top_trainers_sorted_as_asked(as_user, admin_user, data):
    body = as_user(admin_user).get(URL, {**MARCH, "sort": "count", "top": "1"}).json()
    assert body["trainers"]["usd"] == [
        {
            "rank": 1,
            "trainer_id": data.trainer_b.id,
            "name": "Bob B",
            "email": data.trainer_b.user.email,
            "payments": 3,
            "gross": "120.00",
            "fees": "9.00",
            "net": "8.50",
            "refunded": "60.00",
            "disputes_recovered": "42.50",
        }
    ]


def test_it_returns_the_series_in_the_asked_bucket(as_user, admin_user, data):
    body = as_user(admin_user).get(URL, {**MARCH, "bucket": "month"}).json()
    assert body["series"] == [
        {"bucket": "2026-03-01", "bookings": 6, "revenue": {"eur": "120.00", "usd": "300.00"}}
    ]


def test_it_defaults_to_the_last_30_days(as_user, admin_user):
    body = as_user(admin_user).get(URL).json()
    assert len(body["series"]) == 30
    assert body["currencies"] == {}


@pytest.mark.parametrize("role", ["client", "trainer"])
def test_it_forbids_everyone_but_admins(as_user, data, role):
    user = data.client if role == "client" else data.trainer_a.user
    response = as_user(user).get(URL, MARCH)
    assert response.status_code == 403
    assert "error" in response.json()
    assert "currencies" not in response.json()


def test_it_requires_authentication(api):
    response = api.get(URL, MARCH)
    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-13-01", "to": "2026-03-31"}, "from"),
        ({"from": "yesterday", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "2026-02-30"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "0001-01-01", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "9999-12-31"}, "to"),
        ({"to": "0001-01-01"}, "to"),  # "from" defaults to 29 days earlier: was an OverflowError
        ({"from": "2000-01-01", "to": "2026-03-01"}, "to"),
        ({**MARCH, "bucket": "year"}, "bucket"),
        ({**MARCH, "top": "0"}, "top"),
        ({**MARCH, "top": "ten"}, "top"),
        ({**MARCH, "top": "101"}, "top"),
        ({**MARCH, "sort": "email"}, "sort"),
    ],
)
def test_it_refuses_bad_input_with_400(as_user, admin_user, params, field):
    response = as_user(admin_user).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"].startswith(f"{field}:")
    assert field in body["fields"]


def test_it_reads_without_writing(as_user, admin_user, data):
    before = list(Payment.objects.order_by("id").values()), list(Refund.objects.values())
    as_user(admin_user).get(URL, MARCH)
    as_user(ClientFactory()).get(URL, MARCH)
    assert (list(Payment.objects.order_by("id").values()), list(Refund.objects.values())) == before
