"""The trainer's own area: upcoming sessions, earnings per month, profile, weekly availability."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from analytics.selectors import trainer_earnings_by_month
from bookings.models import Booking
from bookings.selectors import booking_list_for
from core.money import format_amount
from trainers.services import (
    availability_replace,
    trainer_profile_ensure,
    trainer_profile_update,
)
from web.forms import AvailabilityForm, TrainerProfileForm


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
    form = TrainerProfileForm(request.POST or None, initial=initial, profile=profile)
    if request.method == "POST" and form.is_valid():
        trainer_profile_update(profile=profile, **form.cleaned_data)
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
        availability_replace(trainer=profile, windows=form.windows)
        messages.success(request, "Your weekly availability is saved.")
        return redirect("web:trainer_availability")
    return render(
        request,
        "web/trainer_availability.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )
