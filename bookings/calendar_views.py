"""Calendar files: one booking's .ics for its client or trainer, and a trainer's private feed."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from bookings.calendar import CLIENT, TRAINER, ics_render, session_event
from bookings.models import Booking
from bookings.selectors import booking_feed_for_trainer, booking_get_for
from core.errors import Conflict
from trainers.models import TrainerProfile

ICS = "text/calendar; charset=utf-8"


class ICalendarRenderer(BaseRenderer):
    """Lets a client that asks for text/calendar only be answered (errors stay JSON)."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class BookingCalendarApi(APIView):
    """The session as an .ics file ("Add to calendar"), for its client and its trainer only."""

    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiResponse(description="An iCalendar file")}
    )
    def get(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        if request.user.pk == booking.client_id:
            viewer = CLIENT
        elif request.user.pk == booking.trainer.user_id:
            viewer = TRAINER
        else:  # staff see every booking, but it is not in their calendar
            raise Http404
        if booking.status in (Booking.Status.PENDING, Booking.Status.EXPIRED):
            raise Conflict("The session is not booked until it is paid.")
        response = HttpResponse(ics_render([session_event(booking, viewer=viewer)]), ICS)
        response["Content-Disposition"] = f'attachment; filename="session-{booking.pk}.ics"'
        return response


@require_GET
def trainer_calendar_feed(request, token: str):
    """A trainer's sessions as an iCal feed for their calendar app to subscribe to. The token in
    the URL is the only key (calendar apps send no login): a revoked or rotated one is a 404."""
    trainer = get_object_or_404(
        TrainerProfile.objects.select_related("user"),
        calendar_token=token,
        user__is_active=True,
    )
    events = [session_event(b, viewer=TRAINER) for b in booking_feed_for_trainer(trainer)]
    body = ics_render(events, name="FitConnect sessions", timezone_name=trainer.timezone)
    response = HttpResponse(body, ICS)
    response["Cache-Control"] = "private, max-age=300"
    return response
