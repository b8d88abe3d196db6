"""/trainer/calendar/: the trainer's private iCal feed link, made on request, revoked by making
a new one (the old link then answers 404)."""

import re

import pytest

from core.tests.factories import ClientFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

URL = "/trainer/calendar/"


def feed_path(client) -> str | None:
    match = re.search(
        r'value="http://testserver(/calendar/[^"]+\.ics)"', client.get(URL).content.decode()
    )
    return match and match[1]


def test_it_makes_a_link_then_a_new_one_that_revokes_the_old(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    page = client.get(URL).content.decode()
    assert "You have no calendar link yet." in page and feed_path(client) is None

    assert client.post(URL).status_code == 302
    first = feed_path(client)
    trainer.refresh_from_db()
    assert first == f"/calendar/{trainer.calendar_token}.ics"
    feed = client.get(first)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")

    assert client.post(URL).status_code == 302
    second = feed_path(client)
    assert second and second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_only_trainers_have_a_feed_here(client):
    client.force_login(ClientFactory())
    assert client.get(URL).status_code == 404
    assert client.post(URL).status_code == 404
