"""Reading the iCalendar we send, the way a calendar app does (with the icalendar parser)."""

import datetime as dt

import icalendar


def events(ics: bytes | str) -> list:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def utc_range(event) -> tuple[dt.datetime, dt.datetime]:
    return (
        event.decoded("dtstart").astimezone(dt.UTC),
        event.decoded("dtend").astimezone(dt.UTC),
    )


def invitation(message):
    """(METHOD, calendar) of the text/calendar part of a sent EmailMessage, or None."""
    for part in message.attachments:
        if getattr(part, "get_content_type", lambda: "")() == "text/calendar":
            return part.get_param("method"), icalendar.Calendar.from_ical(
                part.get_payload(decode=True)
            )
    return None
