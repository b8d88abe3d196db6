"""The trainer's own area: upcoming sessions, earnings per month, profile, weekly availability."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from rest_framework.exceptions import ValidationError as DRFValidationError

from analytics.selectors import trainer_earnings_by_month
from bookings.models import Booking
from bookings.selectors import booking_list_for
from core.money import format_amount
from trainers.api import TrainerMeApi, availability_windows_parse
from trainers.services import (
    availability_check,
    availability_replace,
    trainer_profile_ensure,
    trainer_profile_update,
)
from web.forms import AvailabilityForm, TrainerProfileForm, drf_errors_to_form


def trainer_required(view):
    """Trainer pages do not exist for anybody else."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_trainer:
            raise Http404
        return view(request, trainer_profile_ensure(user=request.user), *args, **kwargs)

    return wrapper


def _earnings(profile):
    return trainer_earnings_by_month(profile, months=12)


@trainer_required
def trainer_home(request, profile):
    upcoming = (
        booking_list_for(request.user, upcoming=True)
        .filter(trainer=profile, status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING])
        .filter(end_time__gte=timezone.now())[:50]
    )
    return render(
        request,
        "web/trainer_home.html",
        {"profile": profile, "upcoming": upcoming, "earnings": _earnings(profile)},
    )


@trainer_required
def trainer_profile(request, profile):
    initial = {
        "first_name": profile.user.first_name,
        "last_name": profile.user.last_name,
        "bio": profile.bio,
        "specialties": ", ".join(profile.specialties),
        "hourly_rate": format_amount(profile.hourly_rate, profile.currency),
        "currency": profile.currency,
        "timezone": profile.timezone,
        "accepting_bookings": profile.accepting_bookings,
    }
    form = TrainerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        # Every mistake at once: the form's own checks, then the API's serializer (the same
        # rules for the rate, currency, time zone and tags) on every field the form could read.
        form.is_valid()
        data = form.api_data()
        serializer = TrainerMeApi.InputSerializer(data=data, profile=profile)
        if not serializer.is_valid():
            drf_errors_to_form(form, DRFValidationError(serializer.errors))
            # Its checks across fields (the rate in its currency) run only once every field
            # passed: ask again without the fields already in error.
            rest = {k: v for k, v in data.items() if k not in form.errors}
            again = TrainerMeApi.InputSerializer(data=rest, profile=profile)
            if not again.is_valid():
                drf_errors_to_form(form, DRFValidationError(again.errors))
        if not form.errors:
            trainer_profile_update(profile=profile, **serializer.validated_data)
            messages.success(request, "Your profile is saved.")
            return redirect("web:trainer_profile")
    return render(
        request,
        "web/trainer_profile.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


@trainer_required
def trainer_availability(request, profile):
    form = AvailabilityForm(request.POST or None, windows=profile.availability.all())
    if request.method == "POST" and form.is_valid():
        # Every mistake at once, on its day: badly written ranges (the form), then the API's
        # own checks on all the others, window by window (its parser) and together (order and
        # overlaps, the service's).
        windows, parsed = form.windows(), []
        for window in windows:
            try:
                parsed += availability_windows_parse([window])
            except DRFValidationError as e:
                drf_errors_to_form(form, e, field_map=_window_fields([window]))
        try:
            availability_check(parsed)
        except ValidationError as e:
            drf_errors_to_form(form, e, field_map=_window_fields(parsed))
        if not form.errors:
            availability_replace(trainer=profile, windows=parsed)
            messages.success(request, "Your weekly availability is saved.")
            return redirect("web:trainer_availability")
    return render(
        request,
        "web/trainer_availability.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


def _window_fields(windows: list[dict]) -> dict:
    """The API names errors availability[i] / availability[i].start; show them on that day."""
    mapping = {}
    for i, w in enumerate(windows):
        for suffix in ("", ".start", ".end", ".weekday", ".non_field_errors"):
            mapping[f"availability[{i}]{suffix}"] = f"day_{w['weekday']}"
    return mapping
