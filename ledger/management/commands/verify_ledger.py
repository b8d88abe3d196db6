import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ledger.verification import DEFAULT_PERIOD, verify_ledger


def moment(value: str) -> dt.datetime:
    """An ISO date (midnight UTC) or date-time (UTC unless it says otherwise)."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = dt.datetime.combine(day, dt.time.min)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = (
        "Check that every ledger transaction balances, that the ledger agrees with the payment "
        "and refund rows, and that Stripe's charges and refunds of the period (per intent and "
        "per currency) equal the ledger's. Prints a report, stores it for the admin. Exit code: "
        "0 everything agrees, 1 differences found, 2 Stripe could not be asked (the rest agrees)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=moment,
            help="Start of the period (ISO date or date-time, UTC); default: a day before --until.",
        )
        parser.add_argument(
            "--until", type=moment, help="End of the period (excluded); default: now."
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Check every transaction and payment row, not only those of the period.",
        )
        parser.add_argument(
            "--no-stripe", action="store_true", help="Do not ask Stripe (rows and ledger only)."
        )

    def handle(self, *args, since=None, until=None, everything=False, no_stripe=False, **opts):
        until = until or timezone.now()
        since = since or until - DEFAULT_PERIOD
        if since >= until:
            raise CommandError("--since must be before --until.")
        report = verify_ledger(
            start=since, end=until, everything=everything, ask_stripe=not no_stripe
        )
        for line in report.lines():
            self.stdout.write(line)
        if report.exit_code:
            raise CommandError(report.summary, returncode=report.exit_code)
