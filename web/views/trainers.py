"""A trainer's page (photo, bio, reviews, a week of free times), the confirmation step that
shows everything about a picked time before anything is held, and holding it."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bookings.services import booking_create, booking_price
from core.ratelimit import rate_limit
from core.times import session_times
from reviews.selectors import review_list_for_trainer
from trainers.availability import free_slots, trainer_tz
from trainers.selectors import trainer_directory_qs, trainer_public_qs
from web.client_forms import SlotForm, WeekForm
from web.errors import PAGE_ERRORS, page_error
from web.viewer import viewer_zone
from web.views.bookings import policy_text
from web.week import viewer_today, week_bounds, week_view

REVIEWS_SHOWN = 20


def _bookable_trainer(pk: int):
    return get_object_or_404(
        trainer_directory_qs().prefetch_related("availability"), pk=pk, hourly_rate__gt=0
    )


def trainer_detail(request, pk: int):
    trainer = _bookable_trainer(pk)
    form = WeekForm(request.GET)
    zone_name = viewer_zone(request) or trainer.timezone
    today = viewer_today(zone_name)
    status, notice, week, duration = 200, "", None, 60
    if not form.is_valid():
        status = 400
        notice = "That week or session length is not one we offer; here is this week."
        first = today
    else:
        duration = form.cleaned_data["duration"] or 60
        first, outside = week_bounds(form.cleaned_data["week"], today)
        if outside:
            status = 400
            notice = "Bookings open for the coming weeks only; here is this week."
    if trainer.is_bookable:
        week = week_view(
            trainer, first=first, viewer_zone=zone_name, duration_minutes=duration, today=today
        )
    return render(
        request,
        "web/trainer_detail.html",
        {
            "trainer": trainer,
            "form": form,
            "duration": duration,
            "week": week,
            "notice": notice,
            "reviews": review_list_for_trainer(trainer)[:REVIEWS_SHOWN],
        },
        status=status,
    )


def _slot_is_free(trainer, start: dt.datetime, duration: int) -> bool:
    local_day = start.astimezone(trainer_tz(trainer)).date()
    return start in free_slots(trainer, local_day, duration)


def trainer_confirm(request, pk: int):
    """The picked time, both clocks, length, price and the cancellation policy; nothing is held
    until the client presses the button. Visitors are offered to log in or sign up and come
    back here."""
    trainer = _bookable_trainer(pk)
    form = SlotForm(request.GET)
    context = {"trainer": trainer, "form": form, "policy": policy_text()}
    if not form.is_valid():
        context["error"] = "That time is not one we offer. Please pick one from the week view."
        return render(request, "web/trainer_confirm.html", context, status=400)
    start, duration = form.cleaned_data["start"], form.cleaned_data["duration"]
    if not _slot_is_free(trainer, start, duration):
        context["error"] = "Sorry, that time is no longer free. Please pick another."
        return render(request, "web/trainer_confirm.html", context, status=409)
    end = start + dt.timedelta(minutes=duration)
    there, mine = session_times(start, end, trainer.timezone, viewer_zone(request))
    context.update(
        start=start,
        duration=duration,
        trainer_time=there,
        viewer_time=mine,
        price=booking_price(hourly_rate=trainer.hourly_rate, duration_minutes=duration),
        here=request.get_full_path(),
    )
    return render(request, "web/trainer_confirm.html", context)


@login_required
@require_POST
def trainer_book(request, pk: int):
    trainer = get_object_or_404(trainer_public_qs(), pk=pk)
    form = SlotForm(request.POST)
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
