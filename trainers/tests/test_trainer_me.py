import pytest

from accounts.models import User
from core.tests.factories import TrainerProfileFactory, UserFactory
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/"


def test_it_shows_the_trainers_own_profile(as_user, trainer):
    response = as_user(trainer.user).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "id": trainer.id,
        "email": trainer.user.email,
        "first_name": trainer.user.first_name,
        "last_name": trainer.user.last_name,
        "headline": "",
        "bio": trainer.bio,
        "specialties": ["strength"],
        "languages": [],
        "hourly_rate": "75.00",
        "currency": "usd",
        "timezone": "UTC",
        "accepting_bookings": True,
        "photo_url": None,
        "avatar_url": trainer.avatar_url,
        "rating": None,
        "review_count": 0,
    }


def test_it_updates_the_profile_and_stores_the_rate_in_minor_units(as_user, trainer):
    response = as_user(trainer.user).patch(
        URL,
        {
            "bio": "Olympic lifting.",
            "specialties": ["Strength", " Mobility ", "strength"],
            "languages": ["JA", "en"],
            "headline": "Lifts, calmly.",
            "hourly_rate": "82.50",
            "timezone": "America/New_York",
            "accepting_bookings": False,
            "first_name": "Dana",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["hourly_rate"] == "82.50"
    assert response.json()["specialties"] == ["strength", "mobility"]
    assert response.json()["languages"] == ["ja", "en"]
    trainer.refresh_from_db()
    trainer.user.refresh_from_db()
    assert trainer.hourly_rate == 8250
    assert trainer.timezone == "America/New_York"
    assert trainer.accepting_bookings is False
    assert trainer.bio == "Olympic lifting."
    assert trainer.headline == "Lifts, calmly."
    assert trainer.user.first_name == "Dana"


def test_it_changes_currency_together_with_the_rate(as_user, trainer):
    response = as_user(trainer.user).patch(
        URL, {"currency": "JPY", "hourly_rate": "9000"}, format="json"
    )
    assert response.status_code == 200, response.content
    trainer.refresh_from_db()
    assert (trainer.currency, trainer.hourly_rate) == ("jpy", 9000)
    assert response.json()["hourly_rate"] == "9000"


def test_it_refuses_a_currency_change_without_a_new_rate(as_user, trainer):
    response = as_user(trainer.user).patch(URL, {"currency": "jpy"}, format="json")
    assert response.status_code == 400
    assert "hourly_rate" in response.json()["fields"]
    trainer.refresh_from_db()
    assert (trainer.currency, trainer.hourly_rate) == ("usd", 7500)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"hourly_rate": 75.5}, "hourly_rate"),  # a float cannot carry cents exactly
        ({"hourly_rate": "75.555"}, "hourly_rate"),
        ({"hourly_rate": "0"}, "hourly_rate"),
        ({"hourly_rate": "-10.00"}, "hourly_rate"),
        ({"hourly_rate": "abc"}, "hourly_rate"),
        ({"hourly_rate": "1000000000"}, "hourly_rate"),
        ({"hourly_rate": None}, "hourly_rate"),
        ({"currency": "xyz", "hourly_rate": "10.00"}, "currency"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"specialties": "yoga"}, "specialties"),
        ({"specialties": ["ok", ""]}, "specialties"),
        ({"specialties": [f"s{i}" for i in range(21)]}, "specialties"),
        ({"specialties": ["strength", "underwater basket weaving"]}, "specialties"),
        ({"languages": ["en", "klingon"]}, "languages"),
        ({"languages": "en"}, "languages"),
        ({"headline": "x" * 121}, "headline"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "US/Eastern"}, "timezone"),
        ({"accepting_bookings": "maybe"}, "accepting_bookings"),
        ({"email": "new@example.com"}, "email"),
        ({"id": 5}, "id"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(as_user, trainer, payload, field):
    response = as_user(trainer.user).patch(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert field in response.json()["fields"]
    trainer.refresh_from_db()
    assert trainer.hourly_rate == 7500
    assert trainer.currency == "usd"
    assert trainer.timezone == "UTC"
    assert trainer.specialties == ["strength"]


def test_it_answers_400_to_malformed_json(as_user, trainer):
    response = as_user(trainer.user).patch(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_it_refuses_clients_and_admins(as_user, client_user, admin_user):
    for user in (client_user, admin_user):
        for method in ("get", "patch"):
            response = getattr(as_user(user), method)(URL, {}, format="json")
            assert response.status_code == 403
            assert response.json() == {"error": "Only trainers have a trainer profile."}
    assert not TrainerProfile.objects.exists()


def test_it_requires_authentication(api):
    assert api.get(URL).status_code == 401
    assert api.patch(URL, {"bio": "x"}, format="json").status_code == 401


def test_it_only_changes_the_callers_profile(as_user, trainer):
    other = TrainerProfileFactory()
    as_user(other.user).patch(URL, {"bio": "Other's bio"}, format="json")
    trainer.refresh_from_db()
    assert trainer.bio == "Certified strength coach."


def test_it_creates_a_missing_profile_for_a_trainer_made_outside_the_api(as_user):
    user = UserFactory(role=User.Role.TRAINER)
    response = as_user(user).get(URL)
    assert response.status_code == 200
    assert response.json()["hourly_rate"] == "0.00"
    assert TrainerProfile.objects.filter(user=user).count() == 1


def test_it_refuses_a_body_that_is_not_an_object(as_user, trainer):
    response = as_user(trainer.user).patch(URL, ["bio"], format="json")
    assert response.status_code == 400
    assert response.json()["error"]
    trainer.refresh_from_db()
    assert trainer.bio == "Certified strength coach."


@pytest.mark.parametrize(
    ("rate", "currency", "status"),
    [("0.99", "usd", 400), ("1.00", "usd", 200), ("0.59", "gbp", 400), ("99", "jpy", 400)],
)
def test_it_refuses_a_rate_whose_shortest_session_stripe_could_not_charge(
    as_user, trainer, rate, currency, status
):
    """Stripe refuses charges below its minimum (0.50 USD, 0.30 GBP, 50 JPY); a 30-minute
    session at 0.99 USD/h (0.50 rounded from 0.495) could be booked but never paid."""
    r = as_user(trainer.user).patch(URL, {"hourly_rate": rate, "currency": currency}, format="json")
    assert r.status_code == status, r.content
    if status == 400:
        assert "smallest amount a card can be charged" in r.json()["fields"]["hourly_rate"][0]
