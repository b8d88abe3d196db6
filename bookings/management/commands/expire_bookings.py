from django.core.management.base import BaseCommand

from bookings.services import booking_expire_stale


class Command(BaseCommand):
    help = "Expire unpaid bookings whose hold has passed, freeing their slots."

    def handle(self, *args, **options):
        count = booking_expire_stale()
        self.stdout.write(f"Expired {count} booking{'' if count == 1 else 's'}.")
