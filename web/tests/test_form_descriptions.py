"""Django points each input's aria-describedby at its help text ("<id>_helptext") and errors
("<id>_error"): a screen reader reads them with the field only if those ids exist, once."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from core.tests.factories import AdminFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = Counter(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        self.refs += (attrs.get("aria-describedby") or "").split()


def assert_descriptions_exist(response):
    page = Ids()
    page.feed(response.content.decode())
    assert page.refs, "no described field on this page"
    assert [r for r in page.refs if page.ids[r] != 1] == []


def test_it_links_help_and_several_errors_to_the_signup_fields(client):
    response = client.post(
        "/signup/",
        {"role": "client", "first_name": "A", "last_name": "B", "email": "a@b.c", "password": "1"},
    )
    assert response.status_code == 400
    assert_descriptions_exist(response)


def test_it_links_help_to_the_trainer_profile_fields(client):
    client.force_login(TrainerProfileFactory().user)
    assert_descriptions_exist(client.get("/trainer/profile/"))


def test_it_links_errors_to_the_dashboard_period_fields(client):
    client.force_login(AdminFactory())
    response = client.get("/dashboard/analytics/", {"from": "nope", "to": "2026-13-01"})
    assert response.status_code == 400
    assert_descriptions_exist(response)
