"""GET /api/v1/trainers/choices/: the pick lists, each value accepted by PATCH /trainers/me/."""

import pytest

from trainers.choices import LANGUAGES, SPECIALTIES

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/choices/"


def test_it_is_public_and_lists_every_pick_list(api):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [c["value"] for c in body["specialties"]] == list(SPECIALTIES)
    assert {c["value"] for c in body["languages"]} == set(LANGUAGES)
    assert {"value": "jpy", "label": "JPY", "decimals": 0} in body["currencies"]
    assert {"value": "usd", "label": "USD", "decimals": 2} in body["currencies"]
    zones = body["timezones"]
    assert zones[0] == "UTC"
    assert {"America/New_York", "Asia/Tokyo", "Europe/London"} <= set(zones)
    assert not {"localtime", "Factory", "US/Eastern", "Etc/GMT+5"} & set(zones)


def test_every_listed_value_is_accepted_by_the_profile(as_user, api, trainer):
    body = api.get(URL).json()
    me = as_user(trainer.user)
    patch = {
        "specialties": [c["value"] for c in body["specialties"]],
        "languages": [c["value"] for c in body["languages"]][:10],
        "timezone": body["timezones"][-1],
        "currency": body["currencies"][0]["value"],
        "hourly_rate": "50",
    }
    response = me.patch("/api/v1/trainers/me/", patch, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["specialties"] == patch["specialties"]
