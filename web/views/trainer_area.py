"""The trainer's own area: upcoming sessions, earnings per month, the profile and its photo."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from analytics.selectors import trainer_earnings_by_month
from bookings.models import Booking
from bookings.selectors import booking_list_for
from core.money import format_amount
from trainers.services import (
    trainer_photo_remove,
    trainer_photo_set,
    trainer_profile_ensure,
    trainer_profile_update,
)
from web.trainer_forms import PhotoForm, TrainerProfileForm


def trainer_required(view):
    """Trainer pages do not exist for anybody else."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_trainer:
            raise Http404
        return view(request, trainer_profile_ensure(user=request.user), *args, **kwargs)

    return wrapper


def _earnings(profile) -> list[dict]:
    """The last 12 months, or nothing until a first session is paid (12 rows of zeros say
    less than the empty state)."""
    months = trainer_earnings_by_month(profile, months=12)
    return months if any(m["payments"] for m in months) else []


@trainer_required
def trainer_home(request, profile):
    upcoming = (
        booking_list_for(request.user, upcoming=True)
        .filter(trainer=profile, status__in=[Booking.Status.CONFIRMED, Booking.Status.PENDING])
        .filter(end_time__gte=timezone.now())[:50]
    )
    earnings = _earnings(profile)
    context = {
        "profile": profile,
        "upcoming": upcoming,
        "earnings": earnings,
        # The column only for a trainer who has lost one: for most it would be all zeros.
        "chargebacks": any(row["disputes_lost"] for row in earnings),
    }
    return render(request, "web/trainer_home.html", context)


def _profile_page(request, profile, *, form=None, photo_form=None, status=200):
    if form is None:
        form = TrainerProfileForm(
            profile=profile,
            initial={
                "first_name": profile.user.first_name,
                "last_name": profile.user.last_name,
                "headline": profile.headline,
                "bio": profile.bio,
                "specialties": profile.specialties,
                "languages": profile.languages,
                "hourly_rate": format_amount(profile.hourly_rate, profile.currency),
                "currency": profile.currency,
                "timezone": profile.timezone,
                "accepting_bookings": profile.accepting_bookings,
            },
        )
    return render(
        request,
        "web/trainer_profile.html",
        {"form": form, "photo_form": photo_form or PhotoForm(), "profile": profile},
        status=status,
    )


@trainer_required
def trainer_profile(request, profile):
    if request.method != "POST":
        return _profile_page(request, profile)
    form = TrainerProfileForm(request.POST, profile=profile)
    if not form.is_valid():
        return _profile_page(request, profile, form=form, status=400)
    trainer_profile_update(profile=profile, **form.cleaned_data)
    messages.success(request, "Your profile is saved.")
    return redirect("web:trainer_profile")


@require_POST
@trainer_required
def trainer_photo_upload(request, profile):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            trainer_photo_set(profile=profile, upload=form.cleaned_data["photo"])
        except ValidationError as e:
            form.add_error(None, e)  # keyed "photo": shown next to the file field
        else:
            messages.success(request, "Your new photo is saved.")
            return redirect("web:trainer_profile")
    return _profile_page(request, profile, photo_form=form, status=400)


@require_POST
@trainer_required
def trainer_photo_delete(request, profile):
    trainer_photo_remove(profile=profile)
    messages.success(request, "Your photo is removed; your initials show instead.")
    return redirect("web:trainer_profile")
