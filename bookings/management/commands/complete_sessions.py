from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bookings.completion import booking_complete_due


def aware_datetime(value: str):
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--now: '{value}' is not an ISO 8601 time like 2030-01-31T10:00:00Z.")
    if timezone.is_naive(moment):
        raise CommandError(f"--now: '{value}' needs a UTC offset, e.g. 2030-01-31T10:00:00Z.")
    return moment


class Command(BaseCommand):
    help = (
        "Complete the confirmed, paid sessions that ended at least "
        "SESSION_COMPLETION_GRACE_HOURS ago (not cancelled, refunded in full or disputed)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Act as if it were this time (ISO 8601 with offset): moves the clock forward "
            "for demos and tests.",
        )

    def handle(self, *args, now=None, **options):
        moment = aware_datetime(now) if now else timezone.now()
        count = booking_complete_due(now=moment)
        self.stdout.write(f"Completed {count} session{'' if count == 1 else 's'}.")
