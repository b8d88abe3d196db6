"""Demo data for `make run`: an admin, two clients and four trainers, each with a known login.

Idempotent: running it again resets the same accounts (names, passwords, rates, availability) to
the values below and creates nothing twice; bookings and payments made during a demo are kept.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from core.money import format_amount
from trainers.models import AvailabilityWindow, TrainerProfile

ADMIN = ("admin@fitconnect.test", "admin-demo-pass", "Ada", "Admin")
CLIENTS = [
    ("client1@fitconnect.test", "client-demo-pass", "Carla", "Client"),
    ("client2@fitconnect.test", "client-demo-pass", "Chen", "Customer"),
]
WEEKDAYS = range(0, 5)
EVERY_DAY = range(0, 7)


@dataclass(frozen=True)
class DemoTrainer:
    email: str
    first_name: str
    last_name: str
    bio: str
    specialties: list[str]
    hourly_rate: int  # minor units
    timezone: str
    # (weekdays, "HH:MM", "HH:MM") in the trainer's own timezone
    windows: list[tuple[range, str, str]]


TRAINER_PASSWORD = "trainer-demo-pass"
TRAINERS = [
    DemoTrainer(
        "trainer1@fitconnect.test",
        "Tom",
        "Strong",
        "Powerlifting coach, ten years of barbell work.",
        ["strength", "powerlifting"],
        7500,
        "UTC",
        # Open all day every day so a demo always finds a slot, whatever the hour.
        [(EVERY_DAY, "00:00", "23:45")],
    ),
    DemoTrainer(
        "trainer2@fitconnect.test",
        "Yara",
        "Flow",
        "Vinyasa and mobility for desk workers.",
        ["yoga", "mobility"],
        6000,
        "Europe/London",
        [
            (WEEKDAYS, "07:00", "12:00"),
            (WEEKDAYS, "17:00", "21:00"),
            (range(5, 6), "09:00", "13:00"),
        ],
    ),
    DemoTrainer(
        "trainer3@fitconnect.test",
        "Rui",
        "Pace",
        "Marathon and trail running plans, heart-rate based.",
        ["running", "endurance"],
        9000,
        "America/New_York",
        [(WEEKDAYS, "06:00", "10:00"), (WEEKDAYS, "16:00", "20:00")],
    ),
    DemoTrainer(
        "trainer4@fitconnect.test",
        "Kenji",
        "Box",
        "Boxing conditioning and HIIT.",
        ["boxing", "hiit", "strength"],
        12000,
        "Asia/Tokyo",
        [(range(0, 6), "08:00", "20:00")],
    ),
]


def _time(hhmm: str) -> dt.time:
    return dt.time.fromisoformat(hhmm)


def _user(email, password, first_name, last_name, **extra) -> User:
    user, _ = User.objects.update_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "is_active": True, **extra},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or reset) the demo admin, clients and trainers, and print their logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (the demo passwords are public: never on a real site).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with public passwords while DEBUG is off "
                "(pass --allow-production if this really is a demo site)."
            )
        with transaction.atomic():
            rows = self._seed()
        self.stdout.write("Demo logins (POST /api/v1/auth/token/ {email, password}):")
        width = max(len(r[1]) for r in rows)
        for role, email, password, extra in rows:
            self.stdout.write(f"  {role:<8} {email:<{width}}  {password:<18} {extra}".rstrip())

    def _seed(self) -> list[tuple[str, str, str, str]]:
        rows = []
        email, password, first, last = ADMIN
        _user(email, password, first, last, role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        rows.append(("admin", email, password, "(also /admin/)"))
        for email, password, first, last in CLIENTS:
            _user(email, password, first, last, role=User.Role.CLIENT, is_staff=False)
            rows.append(("client", email, password, ""))
        for t in TRAINERS:
            user = _user(
                t.email, TRAINER_PASSWORD, t.first_name, t.last_name, role=User.Role.TRAINER
            )
            profile, _ = TrainerProfile.objects.update_or_create(
                user=user,
                defaults={
                    "bio": t.bio,
                    "specialties": t.specialties,
                    "hourly_rate": t.hourly_rate,
                    "currency": "usd",
                    "timezone": t.timezone,
                    "accepting_bookings": True,
                },
            )
            profile.availability.all().delete()
            AvailabilityWindow.objects.bulk_create(
                AvailabilityWindow(
                    trainer=profile, weekday=day, start_time=_time(start), end_time=_time(end)
                )
                for days, start, end in t.windows
                for day in days
            )
            rate = format_amount(t.hourly_rate, "usd")
            rows.append(
                (
                    "trainer",
                    t.email,
                    TRAINER_PASSWORD,
                    f"id {profile.pk}, {rate} usd/h, {t.timezone}",
                )
            )
        return rows
