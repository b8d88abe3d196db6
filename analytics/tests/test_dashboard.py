import pytest
from django.contrib.staticfiles import finders

from analytics.tests.data import make_dataset

pytestmark = pytest.mark.django_db
URL = "/dashboard/analytics/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def data():
    return make_dataset()


def test_it_shows_staff_the_figures_charts_and_definitions(client, admin_user, data):
    client.force_login(admin_user)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "300.00",
        "31.50",
        "136.00",
        "42.50",
        "90.00",
        "30.00%",
        "83.33%",
        "160.00",
        "120.00",
    ):
        assert text in html
    assert "1 from the Stripe Dashboard" in html
    assert 'id="chart-data"' in html
    assert "analytics/vendor/chart.umd.js" in html
    assert "How these figures are counted" in html
    assert "a payment belongs to the UTC day" in html
    assert '<label for="id_from">From</label>' in html
    assert "/dashboard/analytics/export.csv?from=2026-03-01&amp;to=2026-03-31" in html


def test_it_links_the_trainer_columns_to_sort_by_them(client, admin_user, data):
    client.force_login(admin_user)
    html = client.get(URL, {**MARCH, "sort": "count"}).content.decode()
    assert "sort=gross" in html and "sort=net" in html
    assert 'aria-sort="descending"' in html
    # Ranked by payments, trainer B (3) comes before trainer A (2).
    assert html.index(data.trainer_b.user.email) < html.index(data.trainer_a.user.email)


def test_it_redirects_non_staff_to_the_admin_login(client, client_user, trainer):
    for user in (None, client_user, trainer.user):
        if user:
            client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_it_answers_a_bad_period_with_400_and_the_reason(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"from": "2026-03-31", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "must be on or before" in response.content.decode()


def test_it_is_linked_from_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/dashboard/analytics/"' in html
    assert "Site administration" in html  # the stock admin index is still there


def test_it_serves_chart_js_from_the_app():
    path = finders.find("analytics/vendor/chart.umd.js")
    assert path
    with open(path) as f:
        assert "Chart.js v4" in f.read(200)
