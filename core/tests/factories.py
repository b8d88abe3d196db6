"""factory-boy factories shared by every app's tests."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from trainers.models import AvailabilityWindow, TrainerProfile

PASSWORD = "Str0ng-pass-phrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = User.Role.CLIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(UserFactory):
    email = factory.Sequence(lambda n: f"client{n}@example.com")


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class TrainerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory,
        role=User.Role.TRAINER,
        email=factory.Sequence(lambda n: f"trainer{n}@example.com"),
    )
    bio = "Certified strength coach."
    specialties = factory.LazyFunction(lambda: ["strength"])
    hourly_rate = 7500
    currency = "usd"
    timezone = "UTC"
    accepting_bookings = True

    @factory.post_generation
    def all_week(obj, create, extracted, **kwargs):
        """Available every day 00:00-23:59 unless all_week=False: tests pick any future time."""
        if create and extracted is not False:
            AvailabilityWindow.objects.bulk_create(
                AvailabilityWindow(
                    trainer=obj, weekday=d, start_time=dt.time(0, 0), end_time=dt.time(23, 59)
                )
                for d in range(7)
            )


def future(hours: float = 48, *, minute: int = 0) -> dt.datetime:
    """A whole-hour UTC time `hours` from now (inside the default all-week availability)."""
    t = timezone.now() + dt.timedelta(hours=hours)
    return t.replace(minute=minute, second=0, microsecond=0)


def bookable(hours: float = 72) -> dt.datetime:
    """10:00 UTC on the day `hours` from now: a time a session of up to a few hours can be booked
    at whenever the tests run. future() at 23:xx gives a 23:00 start, whose session ends after
    the factory trainer's day (00:00-23:59), so the API refuses it."""
    return future(hours).replace(hour=10)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking written straight to the database (tests of booking rules use the API)."""

    class Meta:
        model = Booking

    client = factory.SubFactory(ClientFactory)
    trainer = factory.SubFactory(TrainerProfileFactory)
    start_time = factory.LazyFunction(future)
    duration_minutes = 60
    end_time = factory.LazyAttribute(
        lambda o: o.start_time + dt.timedelta(minutes=o.duration_minutes)
    )
    price = factory.LazyAttribute(lambda o: o.trainer.hourly_rate * o.duration_minutes // 60)
    currency = factory.LazyAttribute(lambda o: o.trainer.currency)
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))
