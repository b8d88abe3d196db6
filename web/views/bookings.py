"""A client's sessions: list, detail with receipt, cancel with the refund shown first."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_get_for, booking_list_for
from bookings.services import booking_cancel
from payments.models import Payment
from payments.selectors import booking_cancellation_preview
from reviews.models import Review
from web.client_forms import ReviewForm
from web.errors import PAGE_ERRORS, page_error
from web.forms import CancelForm
from web.session_rules import calendar_ready, reschedule_refusal, review_refusal


def own_booking(request, pk: int) -> Booking:
    """The client's own booking; anybody else's (a trainer's too) does not exist here."""
    booking = booking_get_for(request.user, pk)
    if booking.client_id != request.user.pk:
        raise Http404
    return booking


def policy_text() -> str:
    hours = settings.CANCELLATION_FULL_REFUND_HOURS
    late = f"{settings.CANCELLATION_LATE_REFUND_PERCENT.normalize():f}"
    fee = " The platform fee is not refunded." if settings.CANCELLATION_PLATFORM_KEEPS_FEE else ""
    return (
        f"Cancel at least {hours} hours before the session for a full refund; later, you get "
        f"{late}% back; once the session has started, no refund.{fee}"
    )


@login_required
def booking_list(request):
    now = timezone.now()
    mine = booking_list_for(request.user).filter(client=request.user)
    # Upcoming: sessions still on (paid, or held for payment). A cancelled or expired one is
    # history, even when its date is still ahead.
    on = Q(status__in=[Booking.Status.PENDING, Booking.Status.CONFIRMED], end_time__gte=now)
    return render(
        request,
        "web/booking_list.html",
        {
            "upcoming": mine.filter(on).order_by("start_time", "id"),
            "past": mine.exclude(on)[:50],
        },
    )


@login_required
def booking_detail(request, pk: int):
    booking = own_booking(request, pk)
    # The receipt: the payment that collected the money (declined attempts are not shown): the
    # booking's own, else a late charge that was refunded in full.
    collected = Payment.objects.filter(booking=booking, status__in=Payment.COLLECTED_STATUSES)
    payment = collected.filter(refund_in_full_reason="").first() or collected.first()
    move_refusal = reschedule_refusal(booking, request.user)
    return render(
        request,
        "web/booking_detail.html",
        {
            "booking": booking,
            "payment": payment,
            "refunds": list(payment.refunds.all()) if payment else [],
            "can_cancel": booking.is_cancellable(),
            "calendar_ready": calendar_ready(booking),
            "can_move": not move_refusal,
            "move_refusal": move_refusal,
            "review": Review.objects.filter(booking=booking).first(),
            "review_form": None if review_refusal(booking) else ReviewForm(),
        },
    )


@login_required
def booking_cancel_view(request, pk: int):
    booking = own_booking(request, pk)
    form = CancelForm(request.POST or None)
    if not booking.is_cancellable():
        messages.error(request, f"This booking is {booking.get_status_display().lower()}.")
        return redirect("web:booking_detail", pk=booking.pk)
    if request.method == "POST" and form.is_valid():
        try:
            booking, refund = booking_cancel(
                booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PAGE_ERRORS as e:
            messages.error(request, page_error(e)[0])
        else:
            if refund is not None and refund.status != "failed":
                messages.success(request, "Your session is cancelled. Your refund is on its way.")
            else:
                messages.success(request, "Your session is cancelled.")
        return redirect("web:booking_detail", pk=booking.pk)
    quote = booking_cancellation_preview(booking=booking, actor=request.user)
    return render(
        request,
        "web/booking_cancel.html",
        {"booking": booking, "quote": quote, "form": form, "policy": policy_text()},
    )
