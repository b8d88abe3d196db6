from django.core.management.base import BaseCommand, CommandError

from payments.intake import stripe_event_process
from payments.models import WebhookEvent


class Command(BaseCommand):
    help = "Re-run stored Stripe events: every event whose handler failed, or one by its id."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--failed", action="store_true", help="events stored with an error")
        group.add_argument("--event", metavar="EVENT_ID", help="one event, e.g. evt_123")

    def handle(self, *args, **options):
        if options["event"]:
            rows = list(WebhookEvent.objects.filter(stripe_event_id=options["event"]))
            if not rows:
                raise CommandError(f"No stored event {options['event']}.")
        else:
            rows = list(WebhookEvent.objects.exclude(error="").order_by("received_at", "id"))
            if not rows:
                self.stdout.write("No failed events.")
                return
        failed = 0
        for row in rows:
            # Handlers are idempotent, so re-running an event that was applied changes nothing.
            outcome = stripe_event_process(row, force=True)
            row.refresh_from_db()
            if row.error:
                failed += 1
                self.stdout.write(f"{row.stripe_event_id} {row.type}: failed again: {row.error}")
            else:
                self.stdout.write(f"{row.stripe_event_id} {row.type}: {outcome}")
        self.stdout.write(f"Replayed {len(rows)} event(s), {failed} still failing.")
        if failed:
            raise CommandError(f"{failed} event(s) still failing.")
