"""seed_demo: the accounts `make run` prints exist, log in, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from core.management.commands.seed_demo import ADMIN, CLIENTS, TRAINER_PASSWORD, TRAINERS
from trainers.models import AvailabilityWindow, TrainerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # seed_demo hashes seven passwords per run; PBKDF2 would make these tests take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_an_admin_two_clients_and_four_trainers(settings):
    settings.DEBUG = True
    seed()
    admin = User.objects.get(email=ADMIN[0])
    assert admin.is_staff and admin.is_superuser
    assert User.objects.filter(role=User.Role.CLIENT).count() == 2
    profiles = TrainerProfile.objects.select_related("user")
    assert profiles.count() == 4
    assert sorted(p.hourly_rate for p in profiles) == [6000, 7500, 9000, 12000]
    assert len({p.timezone for p in profiles}) == 4
    for p in profiles:
        assert p.user.role == User.Role.TRAINER
        assert p.specialties and p.accepting_bookings and p.currency == "usd"
        assert p.availability.exists()


def test_it_prints_logins_that_work(api, settings):
    settings.DEBUG = True
    output = seed()
    logins = [
        ADMIN[:2],
        *(c[:2] for c in CLIENTS),
        *((t.email, TRAINER_PASSWORD) for t in TRAINERS),
    ]
    for email, password in logins:
        assert email in output and password in output
        r = api.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
        assert r.status_code == 200, (email, r.content)


def test_it_is_idempotent_and_resets_what_a_demo_changed(settings):
    settings.DEBUG = True
    seed()
    counts = (
        User.objects.count(),
        TrainerProfile.objects.count(),
        AvailabilityWindow.objects.count(),
    )
    client = User.objects.get(email=CLIENTS[0][0])
    client.set_password("changed-during-the-demo")
    client.save()
    TrainerProfile.objects.update(hourly_rate=1)
    seed()
    assert (
        User.objects.count(),
        TrainerProfile.objects.count(),
        AvailabilityWindow.objects.count(),
    ) == counts
    assert User.objects.get(email=CLIENTS[0][0]).check_password(CLIENTS[0][1])
    assert not TrainerProfile.objects.filter(hourly_rate=1).exists()


def test_it_refuses_to_seed_public_passwords_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert not User.objects.exists()
