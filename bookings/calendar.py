"""Sessions as iCalendar (RFC 5545) events: the invitation attached to confirmation, reschedule
and cancellation emails, the .ics download of one booking, and a trainer's private feed.

Times are written in UTC ("DTSTART:20261101T063000Z"): exact on both sides of a daylight-saving
change, including the hour a fall-back repeats, which a local time with a TZID cannot tell apart.
Calendar apps show them in their user's own zone; the trainer's feed also names the trainer's
zone (X-WR-TIMEZONE) as its default. One booking is one event whose UID never changes; SEQUENCE
counts its moves (and one more once cancelled), so an updated or cancelled invitation replaces
the event already in the calendar instead of adding a second one.
"""

import datetime as dt
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking

PRODID = "-//FitConnect//Sessions//EN"
CLIENT, TRAINER = "client", "trainer"


def booking_uid(booking_id: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "fitconnect.local"
    return f"booking-{booking_id}@{host}"


def _name(user) -> str:
    return user.get_full_name() or user.email


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def session_event(booking: Booking, *, viewer: str) -> dict:
    """The booking's event as the client or the trainer sees it, as JSON-ready values.

    Email contexts store it, so every retry of an email carries the same invitation; the
    booking needs `client` and `trainer.user` loaded.
    """
    cancelled = booking.status == Booking.Status.CANCELLED
    trainer_name, client_name = _name(booking.trainer.user), _name(booking.client)
    if viewer == TRAINER:
        summary = f"Training session with {client_name}"
        url = _absolute(reverse("web:trainer_home"))
    else:
        summary = f"Training session with {trainer_name}"
        url = _absolute(reverse("web:booking_detail", args=[booking.pk]))
    description = (
        f"{booking.duration_minutes}-minute session booked on FitConnect "
        f"(the trainer's time zone: {booking.trainer.timezone}).\n{url}"
    )
    return {
        "uid": booking_uid(booking.pk),
        "sequence": booking.calendar_sequence + (1 if cancelled else 0),
        "start": booking.start_time.astimezone(dt.UTC).isoformat(),
        "end": booking.end_time.astimezone(dt.UTC).isoformat(),
        "summary": summary,
        "description": description,
        "url": url,
        "cancelled": cancelled,
        "attendees": [
            {"name": client_name, "email": booking.client.email},
            {"name": trainer_name, "email": booking.trainer.user.email},
        ],
    }


def ics_render(
    events: list[dict],
    *,
    method: str | None = None,
    name: str | None = None,
    timezone_name: str | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """A VCALENDAR of `events` (session_event values). `method`: "REQUEST" or "CANCEL" for an
    emailed invitation (with ORGANIZER and ATTENDEEs, as RFC 5546 asks), None for a download or
    a feed. `stamp`: the DTSTAMP (when this copy was made), default now."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    if timezone_name:
        calendar.add("x-wr-timezone", timezone_name)
    stamp = (stamp or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    for data in events:
        event = icalendar.Event()
        event.add("uid", data["uid"])
        event.add("dtstamp", stamp)
        event.add("sequence", data["sequence"])
        event.add("dtstart", dt.datetime.fromisoformat(data["start"]))
        event.add("dtend", dt.datetime.fromisoformat(data["end"]))
        event.add("summary", data["summary"])
        event.add("description", data["description"])
        event.add("url", data["url"])
        event.add("status", "CANCELLED" if data["cancelled"] else "CONFIRMED")
        if method:
            organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
            organizer = icalendar.vCalAddress(f"mailto:{organizer_email}")
            organizer.params["cn"] = icalendar.vText(organizer_name or "FitConnect")
            event.add("organizer", organizer)
            for person in data["attendees"]:
                attendee = icalendar.vCalAddress(f"mailto:{person['email']}")
                attendee.params["cn"] = icalendar.vText(person["name"])
                attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
                event.add("attendee", attendee, encode=0)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_attachment(calendar_context: dict, *, stamp: dt.datetime) -> MIMEText:
    """The invitation part of an email: text/calendar with its METHOD, as mail clients expect
    for an Accept/Decline invitation (an .ics file name alone would be a plain attachment)."""
    method = calendar_context["method"]
    body = ics_render(calendar_context["events"], method=method, stamp=stamp).decode()
    part = MIMEText(body, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="session.ics")
    return part
