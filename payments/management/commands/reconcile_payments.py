from django.core.management.base import BaseCommand, CommandError

from ops.metrics import remember_reconciliation
from payments.reconciliation import reconcile_payments


class Command(BaseCommand):
    help = (
        "Fetch open payments, attempts, refunds, disputes and recent events from Stripe and "
        "apply them, so a lost webhook never leaves a paid booking unpaid; then verify the "
        "ledger. Exits 1 when something needs a person (a failure, an open payment alert in "
        "the admin, or a difference in the ledger)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would change, change nothing (Stripe is only read).",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Check the transfer of every completed session ever, not only of those "
            "completed, refunded, disputed or paid out in the last days (after "
            "backfill_transfers, or a repair by hand).",
        )

    def handle(self, *args, dry_run=False, everything=False, **options):
        summary = reconcile_payments(dry_run=dry_run, everything=everything)
        if not dry_run:
            remember_reconciliation(summary.as_dict())
        prefix = "Would change" if dry_run else "Changed"
        for change in summary.changes:
            self.stdout.write(f"{prefix}: {change}")
        self.stdout.write(str(summary))
        for error in summary.errors:
            self.stderr.write(f"  Stripe (retried next run): {error}")
        for failure in summary.failures:
            self.stderr.write(f"  Failed: {failure}")
        for difference in summary.ledger_differences:
            self.stderr.write(f"  Ledger: {difference}")
        if summary.needs_person:
            raise CommandError(
                f"{len(summary.failures)} failure(s), {summary.open_alerts} open payment "
                f"alert(s) and {len(summary.ledger_differences)} ledger difference(s) need a "
                "person (see the log, /admin/payments/paymentalert/ and "
                "/admin/ledger/verification/)."
            )
