from django.core.management.base import BaseCommand

from ledger.postings import ledger_catch_up


class Command(BaseCommand):
    help = (
        "Post to the ledger every movement that the payment and refund rows show and the ledger "
        "lacks (payments collected before the ledger existed). Safe to run again: each movement "
        "is posted once."
    )

    def handle(self, *args, **options):
        posted = ledger_catch_up()
        self.stdout.write(f"Posted {posted} ledger transaction(s).")
