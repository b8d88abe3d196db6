"""seed_demo: the accounts `make run` prints exist, log in, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from core.management.commands.seed_demo import ADMIN, CLIENTS, TRAINER_PASSWORD, TRAINERS
from ledger.selectors import trainer_owed
from payments.reconciliation.summary import ReconcileSummary
from payments.reconciliation.transfers import check_transfers
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


def test_demo_trainers_have_profiles_that_sell_and_reviews_of_past_sessions(settings, api):
    from bookings.models import Booking
    from reviews.models import Review
    from trainers.choices import LANGUAGES, SPECIALTIES

    settings.DEBUG = True
    seed()
    profiles = list(TrainerProfile.objects.all())
    for p in profiles:
        assert p.headline and p.languages
        assert set(p.specialties) <= set(SPECIALTIES) and set(p.languages) <= set(LANGUAGES)
        p.full_clean()
    assert sum(bool(p.photo) for p in profiles) == 2  # the others show the initials avatar
    reviewed = Booking.objects.filter(review__isnull=False)
    assert reviewed.count() == Review.objects.count() >= len(profiles)
    assert set(reviewed.values_list("status", "payment_status")) == {("completed", "paid")}
    assert all(b.end_time < b.created_at for b in reviewed)
    listed = api.get("/api/v1/trainers/", {"sort": "rating"}).json()
    assert all(row["rating"] and row["review_count"] for row in listed)
    assert sum(row["photo_url"] is not None for row in listed) == 2

    seed()
    assert Review.objects.count() == reviewed.count()
    assert sum(bool(p.photo) for p in TrainerProfile.objects.all()) == 2


def test_demo_trainers_accounts_are_in_their_profiles_time_zone(settings):
    settings.DEBUG = True
    seed()
    User.objects.filter(role=User.Role.TRAINER).update(timezone="UTC")  # as an older seed left them
    seed()
    zones = {
        p.user.email: (p.user.timezone, p.timezone)
        for p in TrainerProfile.objects.select_related("user")
    }
    assert zones == {t.email: (t.timezone, t.timezone) for t in TRAINERS}
    assert {"America/New_York", "Asia/Tokyo"} <= {z for z, _ in zones.values()}


def test_the_demo_trainers_come_onboarded_and_paid_for_their_past_sessions(settings, api):
    settings.DEBUG = True
    settings.REQUIRE_PAYOUT_ACCOUNT = True
    seed()

    body = api.get("/api/v1/trainers/").json()
    listed = {t["id"] for t in (body["results"] if isinstance(body, dict) else body)}
    assert listed == set(TrainerProfile.objects.values_list("pk", flat=True))
    for profile in TrainerProfile.objects.all():
        assert profile.payouts_enabled and profile.stripe_account_id
        # Their past sessions' shares were transferred: nothing is owed for them.
        assert set(trainer_owed(profile.pk).values()) <= {0}
    # Their reviewed past sessions were paid out: reconciliation finds nothing missing.
    summary = ReconcileSummary()
    check_transfers(timezone.now(), summary, everything=True)
    assert summary.transfers_checked > 0
    assert summary.changes == []
