"""What a client does with a booked session besides paying and cancelling: put it in their
calendar, move it to another free time while a full refund would still be granted, and review
it once it has taken place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bookings.calendar import CLIENT, ics_render, session_event
from bookings.reschedule import booking_reschedule
from reviews.services import review_create
from trainers.selectors import trainer_public_qs
from web.client_forms import RescheduleForm, ReviewForm, WeekForm
from web.errors import PAGE_ERRORS, page_error
from web.session_rules import calendar_ready, reschedule_refusal
from web.views.bookings import own_booking
from web.week import viewer_today, week_bounds, week_view

ICS = "text/calendar; charset=utf-8"


@login_required
def booking_calendar(request, pk: int):
    booking = own_booking(request, pk)
    if not calendar_ready(booking):
        messages.error(request, "The session goes in your calendar once it is paid.")
        return redirect("web:booking_detail", pk=booking.pk)
    response = HttpResponse(ics_render([session_event(booking, viewer=CLIENT)]), ICS)
    response["Content-Disposition"] = f'attachment; filename="session-{booking.pk}.ics"'
    return response


@login_required
def booking_reschedule_view(request, pk: int):
    booking = own_booking(request, pk)
    refusal = reschedule_refusal(booking, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("web:booking_detail", pk=booking.pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Please pick a new time from the week view.")
            return redirect("web:booking_reschedule", pk=booking.pk)
        try:
            booking_reschedule(
                booking=booking, actor=request.user, start_time=form.cleaned_data["start"]
            )
        except PAGE_ERRORS as e:
            messages.error(request, page_error(e)[0])
            return redirect("web:booking_reschedule", pk=booking.pk)
        messages.success(request, "Your session is moved. Your trainer has been told.")
        return redirect("web:booking_detail", pk=booking.pk)
    form = WeekForm(request.GET)
    zone_name = request.user.timezone or "UTC"
    today = viewer_today(zone_name)
    first, outside = week_bounds(form.cleaned_data["week"] if form.is_valid() else None, today)
    trainer = trainer_public_qs().prefetch_related("availability").get(pk=booking.trainer_id)
    week = week_view(
        trainer,
        first=first,
        viewer_zone=zone_name,
        duration_minutes=booking.duration_minutes,
        today=today,
    )
    return render(
        request,
        "web/booking_reschedule.html",
        {
            "booking": booking,
            "trainer": trainer,
            "week": week,
            "notice": "That week is not one we offer; here is this week."
            if outside or not form.is_valid()
            else "",
        },
        status=400 if outside or not form.is_valid() else 200,
    )


@login_required
@require_POST
def booking_review_view(request, pk: int):
    booking = own_booking(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please rate the session from 1 to 5 stars.")
        return redirect("web:booking_detail", pk=booking.pk)
    try:
        review_create(
            booking=booking,
            client=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except PAGE_ERRORS as e:
        messages.error(request, page_error(e)[0])
    else:
        messages.success(request, "Thank you! Your review is published on the trainer's page.")
    return redirect("web:booking_detail", pk=booking.pk)
