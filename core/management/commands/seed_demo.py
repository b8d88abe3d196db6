"""Demo data for `make run`: an admin, two clients and four trainers, each with a known login,
a profile that sells (headline, specialties, languages; two with a photo, two with the initials
avatar) and a few reviews of past sessions.

Idempotent: running it again resets the same accounts (names, passwords, rates, availability,
profiles) to the values below and creates nothing twice; bookings and payments made during a demo
are kept. The reviewed past sessions are made once per trainer (completed and paid, with a
payment row that never went through Stripe, its charge posted to the ledger), so the directory
shows ratings from the start and `manage.py verify_ledger` finds the books in order.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from bookings.models import Booking
from bookings.services import booking_price
from core.money import format_amount
from ledger.postings import ledger_post_payment, post_transfer
from payments.models import Payment, Transfer
from reviews.models import Review
from trainers.models import AvailabilityWindow, TrainerProfile
from trainers.services import trainer_photo_set

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
    headline: str = ""
    languages: list[str] = field(default_factory=lambda: ["en"])
    # Colours of a generated photo (background, figure); None keeps the initials avatar.
    photo: tuple[str, str] | None = None
    # (client index, days ago, rating, comment, the trainer's reply or "")
    reviews: list[tuple[int, int, int, str, str]] = field(default_factory=list)


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
        headline="Barbell strength for beginners and returning lifters",
        languages=["en", "es"],
        photo=("#1d4ed8", "#fbbf24"),
        reviews=[
            (0, 9, 5, "Fixed my squat in one session. Clear, patient cues.", "Thanks Carla!"),
            (1, 16, 4, "Hard work, good plan to take home.", ""),
        ],
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
        headline="Gentle vinyasa and mobility for stiff backs",
        languages=["en", "fr"],
        reviews=[(0, 12, 5, "Calm, precise, my back thanks you.", "")],
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
        headline="Your first marathon, planned by heart rate",
        languages=["en", "pt"],
        photo=("#047857", "#f8fafc"),
        reviews=[
            (1, 8, 5, "A plan I can actually follow.", "See you at mile 20!"),
            (0, 20, 4, "", ""),
        ],
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
        headline="Boxing conditioning that leaves you grinning",
        languages=["ja", "en"],
        reviews=[(1, 10, 3, "Tough! Bring water.", "")],
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


def _photo(background: str, figure: str) -> SimpleUploadedFile:
    """A plain portrait-like picture (a head and shoulders on a coloured ground), made here so the
    demo needs no image files; it goes through the same checks and resizing as an upload."""
    image = Image.new("RGB", (640, 640), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((220, 120, 420, 320), fill=figure)
    draw.ellipse((120, 340, 520, 760), fill=figure)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("demo.png", out.getvalue(), content_type="image/png")


def demo_account_id(profile: TrainerProfile) -> str:
    """The demo trainer's connected account (made onboarded at the emulator by `make run`)."""
    return f"acct_demo{profile.pk}"


def _reviewed_sessions(profile: TrainerProfile, demo: DemoTrainer, clients: list[User]) -> None:
    """The trainer's past sessions with the demo's reviews, made the first time only."""
    if Review.objects.filter(trainer=profile).exists():
        return
    zone = ZoneInfo(profile.timezone)
    for client_index, days_ago, rating, comment, reply in demo.reviews:
        local_day = timezone.now().astimezone(zone).date() - dt.timedelta(days=days_ago)
        start = dt.datetime.combine(local_day, dt.time(9, 0), zone)
        price = booking_price(hourly_rate=profile.hourly_rate, duration_minutes=60)
        booking = Booking.objects.create(
            client=clients[client_index],
            trainer=profile,
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            duration_minutes=60,
            price=price,
            currency=profile.currency,
            status=Booking.Status.COMPLETED,
            payment_status=Booking.PaymentStatus.PAID,
        )
        paid_at = start - dt.timedelta(days=2)
        payment = Payment.objects.create(
            booking=booking,
            amount=price,
            currency=profile.currency,
            status=Payment.Status.SUCCEEDED,
            succeeded_at=paid_at,
            # Ids no Stripe account has: the ledger keys its postings by them; with the card
            # known, reconciliation never asks Stripe about the payment.
            stripe_payment_intent_id=f"pi_demo_{booking.pk}",
            stripe_charge_id=f"ch_demo_{booking.pk}",
            payment_method_type="card",
            card_brand="visa",
            card_last4="4242",
        )
        # Dated when it was paid, days ago: outside verify_ledger's default period, whose
        # payments it looks up at Stripe.
        Payment.objects.filter(pk=payment.pk).update(created_at=paid_at, updated_at=paid_at)
        ledger_post_payment(payment)
        # The trainer was paid their share, as every completed session is.
        Transfer.objects.create(
            booking=booking,
            payment=payment,
            trainer=profile,
            amount=payment.trainer_payout_amount,
            currency=payment.currency,
            status=Transfer.Status.SENT,
            stripe_transfer_id=f"tr_demo_{booking.pk}",
            destination=profile.stripe_account_id or "",
            sent_at=start + dt.timedelta(days=1),
        )
        post_transfer(
            transfer_id=f"tr_demo_{booking.pk}",
            trainer_id=profile.pk,
            amount=payment.trainer_payout_amount,
            currency=payment.currency,
            payment=payment,
        )
        review = Review.objects.create(
            booking=booking,
            trainer=profile,
            client=clients[client_index],
            rating=rating,
            comment=comment,
            reply=reply,
            replied_at=start + dt.timedelta(days=1) if reply else None,
        )
        # Written the evening after the session (created_at is set on insert).
        Review.objects.filter(pk=review.pk).update(created_at=start + dt.timedelta(hours=10))


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
        clients = []
        for email, password, first, last in CLIENTS:
            clients.append(
                _user(email, password, first, last, role=User.Role.CLIENT, is_staff=False)
            )
            rows.append(("client", email, password, ""))
        for t in TRAINERS:
            # The account's zone is the profile's: pages show the trainer's own sessions on
            # their account's clock, and a New York trainer left on UTC reads every time shifted.
            user = _user(
                t.email,
                TRAINER_PASSWORD,
                t.first_name,
                t.last_name,
                role=User.Role.TRAINER,
                timezone=t.timezone,
            )
            profile, _ = TrainerProfile.objects.update_or_create(
                user=user,
                defaults={
                    "headline": t.headline,
                    "bio": t.bio,
                    "specialties": t.specialties,
                    "languages": t.languages,
                    "hourly_rate": t.hourly_rate,
                    "currency": "usd",
                    "timezone": t.timezone,
                    "accepting_bookings": True,
                    # Onboarded: Stripe has enabled their payouts, so clients can book them.
                    "charges_enabled": True,
                    "payouts_enabled": True,
                    "details_submitted": True,
                    "payout_requirements": [],
                },
            )
            if not profile.stripe_account_id:
                profile.stripe_account_id = demo_account_id(profile)
                profile.save(update_fields=["stripe_account_id", "updated_at"])
            profile.availability.all().delete()
            AvailabilityWindow.objects.bulk_create(
                AvailabilityWindow(
                    trainer=profile, weekday=day, start_time=_time(start), end_time=_time(end)
                )
                for days, start, end in t.windows
                for day in days
            )
            if t.photo and not profile.photo:
                trainer_photo_set(profile=profile, upload=_photo(*t.photo))
            _reviewed_sessions(profile, t, clients)
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
