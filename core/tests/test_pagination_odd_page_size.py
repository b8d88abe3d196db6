"""page_size that only looks like a number is a 400, not a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page_size", ["\u00b2", "\u0663", "9" * 5000, "0", "-1", "abc", ""])
def test_it_refuses_a_page_size_int_cannot_read_with_400(api, trainer, page_size):
    response = api.get("/api/v1/trainers/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["fields"] == {"page_size": ["Must be a positive integer."]}


def test_it_still_caps_a_large_page_size_at_200(api, trainer):
    response = api.get("/api/v1/trainers/", {"page_size": "999999999999"})

    assert response.status_code == 200
    assert response.json()[0]["id"] == trainer.id
