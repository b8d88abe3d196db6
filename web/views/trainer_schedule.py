"""The trainer's schedule: the weekly windows and the dates that differ from them, all in the
trainer's own time zone."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trainers.availability import trainer_tz
from trainers.models import AvailabilityOverride
from trainers.selectors import availability_overrides_upcoming
from trainers.services import (
    availability_override_add,
    availability_override_remove,
    availability_replace,
)
from web.trainer_forms import OverrideForm, WeekForm
from web.views.trainer_area import trainer_required


def _today(profile):
    return timezone.now().astimezone(trainer_tz(profile)).date()


def _page(request, profile, *, week=None, override=None, status=200):
    return render(
        request,
        "web/trainer_availability.html",
        {
            "profile": profile,
            "form": week or WeekForm(rows=WeekForm.rows_of(profile.availability.all())),
            "override_form": override or OverrideForm(prefix="override", today=_today(profile)),
            "overrides": availability_overrides_upcoming(trainer=profile),
        },
        status=status,
    )


@trainer_required
def trainer_availability(request, profile):
    if request.method != "POST":
        return _page(request, profile)
    form = WeekForm(request.POST)
    add, remove = request.POST.get("add", ""), request.POST.get("remove", "")
    if add or remove:
        # A window added or taken away before saving: the same page with one row more or less.
        rows = form.rows_changed(add=add, remove=remove)
        return _page(request, profile, week=WeekForm(rows=rows))
    if not form.is_valid():
        return _page(request, profile, week=form, status=400)
    availability_replace(trainer=profile, windows=form.windows)
    messages.success(request, "Your weekly availability is saved.")
    return redirect("web:trainer_availability")


@require_POST
@trainer_required
def trainer_override_add(request, profile):
    form = OverrideForm(request.POST, prefix="override", today=_today(profile))
    if form.is_valid():
        data = form.cleaned_data
        try:
            availability_override_add(
                trainer=profile,
                date=data["date"],
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
            )
        except ValidationError as e:
            form.add_error(None, e)  # keyed by date, start or end: shown next to that field
        else:
            when = f"{data['date']:%A %-d %B %Y}"
            messages.success(request, f"Saved: {when} now differs from your week.")
            return redirect("web:trainer_availability")
    return _page(request, profile, override=form, status=400)


@require_POST
@trainer_required
def trainer_override_remove(request, profile, pk):
    override = get_object_or_404(AvailabilityOverride, pk=pk, trainer=profile)
    availability_override_remove(override=override)
    messages.success(request, f"The change on {override.date:%A %-d %B %Y} is removed.")
    return redirect("web:trainer_availability")
