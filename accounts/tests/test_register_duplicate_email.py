import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

NEW = {
    "password": "Str0ng-pass-phrase",
    "first_name": "Ana",
    "last_name": "Lee",
    "role": "trainer",
}


# The Kelvin sign (U+212A) is a "k" once normalised: the same address on SQLite (whose LIKE folds
# ASCII only, so it registered a second account) as on PostgreSQL.
@pytest.mark.parametrize(
    "email", ["taken@example.com", "TAKEN@Example.COM", "ta\u212aen@example.com"]
)
def test_it_refuses_an_email_that_is_already_registered(api, email):
    existing = User.objects.create_user("taken@example.com", "Other-pass-123")
    r = api.post("/api/v1/auth/register/", {**NEW, "email": email}, format="json")
    assert r.status_code == 400
    assert r.json()["fields"]["email"]
    assert list(User.objects.all()) == [existing]
    assert existing.role == User.Role.CLIENT  # not turned into a trainer


def test_it_creates_a_trainer_profile_for_a_new_trainer(api):
    r = api.post("/api/v1/auth/register/", {**NEW, "email": "coach@example.com"}, format="json")
    assert r.status_code == 201
    user = User.objects.get(email="coach@example.com")
    assert user.role == User.Role.TRAINER and not user.is_staff
    assert user.trainer_profile.hourly_rate == 0
