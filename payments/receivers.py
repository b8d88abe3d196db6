"""What payments does when something happens elsewhere, wired once at startup (PaymentsConfig).

- A session completed (bookings.completion.booking_completed, inside the completing
  transaction): the trainer's share becomes a Transfer row, sent after commit.
- A transfer or reversal may be ready (payments.apply.transfers.transfers_due, after commit): it
  is sent (payments.commands.transfers), by the task queue when there is one.
"""

from django.dispatch import receiver

from bookings.completion import booking_completed
from payments.apply.transfers import transfer_create, transfers_due
from payments.commands.transfers import queue_transfers_send
from payments.models import Transfer


@receiver(booking_completed, dispatch_uid="payments.transfer_on_completion")
def transfer_on_completion(sender, booking, **kwargs):
    transfer_create(booking)


@receiver(transfers_due, sender=Transfer, dispatch_uid="payments.send_transfers_due")
def send_transfers_due(sender, payment_id=None, trainer_id=None, **kwargs):
    queue_transfers_send(payment_id=payment_id, trainer_id=trainer_id)
