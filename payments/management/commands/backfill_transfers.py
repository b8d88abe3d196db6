from collections import Counter

from django.core.management.base import BaseCommand

from core.money import format_amount
from payments.reconciliation.transfer_backfill import transfers_backfill


class Command(BaseCommand):
    help = (
        "Create the missing Transfer of every completed session whose payment was collected and "
        "is not disputed nor refunded in full (sessions completed before transfers existed), "
        "as the completion would have: the trainer's share after refunds, sent after commit to "
        "trainers whose payouts are enabled. Safe to run again, and next to complete_sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be created, create and send nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        verb = "Would create" if dry_run else "Created"
        count = 0
        totals: Counter[str] = Counter()
        for made in transfers_backfill(dry_run=dry_run):
            count += 1
            totals[made.currency] += made.amount
            self.stdout.write(
                f"{verb}: session {made.booking_id}, trainer {made.trainer_id}, "
                f"{format_amount(made.amount, made.currency)} {made.currency.upper()} "
                f"({made.status})"
            )
        per_currency = ", ".join(
            f"{format_amount(amount, currency)} {currency.upper()}"
            for currency, amount in sorted(totals.items())
        )
        self.stdout.write(
            f"{verb} {count} transfer{'' if count == 1 else 's'}"
            + (f": {per_currency}." if per_currency else ".")
        )
