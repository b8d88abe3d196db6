import csv
import io

import pytest

from analytics.tests.data import make_dataset

pytestmark = pytest.mark.django_db
URL = "/dashboard/analytics/export.csv"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_it_exports_the_periods_payments(client, admin_user):
    data = make_dataset()
    client.force_login(admin_user)
    response = client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "payments_2026-03-01_2026-03-31.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "id", "created", "succeeded", "booking", "client", "trainer", "amount", "fee",
        "payout", "refunded", "net_fee", "net_payout", "currency", "status",
    ]  # fmt: skip
    assert len(rows) == 1 + 9  # March: payments 1-6, 9-11
    p2 = data.payments[2]
    assert rows[2] == [
        str(p2.id),
        "2026-03-03T12:00:00+00:00",
        "2026-03-03T12:00:30+00:00",
        str(p2.booking_id),
        data.client.email,
        data.trainer_a.user.email,
        "80.00",
        "12.00",
        "68.00",
        "30.00",
        "7.50",
        "42.50",
        "usd",
        "partially_refunded",
    ]
    declined = next(r for r in rows if r[0] == str(data.payments[5].id))
    assert (declined[2], declined[-1]) == ("", "failed")


def test_it_is_for_staff_only(client, client_user):
    client.force_login(client_user)
    response = client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_refuses_a_bad_period(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"from": "2026-03-01", "to": "not-a-date"})
    assert response.status_code == 400
    assert "to:" in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_it_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, admin_user, start):
    data = make_dataset()
    data.client.email = f"{start}HYPERLINK(1)@example.com"
    data.client.save()
    client.force_login(admin_user)
    rows = read_csv(client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}))
    emails = {row[4] for row in rows[1:]}
    assert emails == {f"'{start}HYPERLINK(1)@example.com"}
