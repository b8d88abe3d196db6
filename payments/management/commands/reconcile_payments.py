from django.core.management.base import BaseCommand

from payments.reconciliation import reconcile_payments


class Command(BaseCommand):
    help = (
        "Fetch open payments and recent events from Stripe and apply them, so a lost webhook "
        "never leaves a paid booking unpaid."
    )

    def handle(self, *args, **options):
        summary = reconcile_payments()
        self.stdout.write(str(summary))
        for error in summary.errors:
            self.stderr.write(f"  {error}")
