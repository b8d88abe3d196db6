"""The trainer directory and a trainer's page with its 14-day slot picker."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bookings.services import booking_create
from core.ratelimit import rate_limit
from trainers.availability import free_slots_by_day, trainer_tz
from trainers.selectors import trainer_list, trainer_public_qs
from web.errors import PAGE_ERRORS, page_error
from web.forms import BookForm, SlotPickerForm, TrainerFilterForm

PICKER_DAYS = 14


def home(request):
    return render(request, "web/home.html")


def trainer_directory(request):
    form = TrainerFilterForm(request.GET or None)
    trainers = trainer_list()
    status = 200
    if form.is_bound:
        if form.is_valid():
            trainers = trainer_list(
                specialty=form.cleaned_data["specialty"] or None,
                max_rate=form.cleaned_data["max_rate"],
                q=form.cleaned_data["q"] or None,
            )
        else:
            status = 400
    return render(
        request,
        "web/trainer_list.html",
        {"form": form, "trainers": trainers.prefetch_related(None)[:100]},
        status=status,
    )


def _days(trainer) -> list[dt.date]:
    today = timezone.now().astimezone(trainer_tz(trainer)).date()
    return [today + dt.timedelta(days=i) for i in range(PICKER_DAYS)]


def trainer_detail(request, pk: int):
    trainer = get_object_or_404(
        trainer_public_qs().prefetch_related("availability"), pk=pk, hourly_rate__gt=0
    )
    form = SlotPickerForm(request.GET)
    if not form.is_valid():
        return render(
            request, "web/trainer_detail.html", {"trainer": trainer, "form": form}, status=400
        )
    duration = form.cleaned_data["duration"] or 60
    days = _days(trainer)
    by_day = free_slots_by_day(trainer, days, duration)
    counts = {day: len(by_day[day]) for day in days}
    day = form.cleaned_data["day"]
    if day is None or day not in counts:
        day = next((d for d in days if counts[d]), days[0])
    slots = by_day[day]
    return render(
        request,
        "web/trainer_detail.html",
        {
            "trainer": trainer,
            "form": form,
            "duration": duration,
            "days": [(d, counts[d]) for d in days],
            "day": day,
            "slots": slots,
            "tz": trainer.timezone,
        },
    )


@login_required
@require_POST
def trainer_book(request, pk: int):
    trainer = get_object_or_404(trainer_public_qs(), pk=pk)
    form = BookForm(request.POST)
    error, status = "", 400
    if not request.user.is_client:
        error = "Only client accounts can book sessions. Sign up as a client to book."
    elif not form.is_valid():
        error = "Please pick a time from the list."
    else:
        try:
            rate_limit(
                request,
                scope="booking-create",
                rate_setting="BOOKING_CREATE_RATE",
                what="new bookings",
                key=f"user:{request.user.pk}",
            )
            booking = booking_create(
                client=request.user,
                trainer=trainer,
                start_time=form.cleaned_data["start"],
                duration_minutes=form.cleaned_data["duration"],
            )
        except PAGE_ERRORS as e:
            error, status = page_error(e)
        else:
            return redirect("web:booking_pay", pk=booking.pk)
    return render(
        request, "web/book_error.html", {"trainer": trainer, "error": error}, status=status
    )
