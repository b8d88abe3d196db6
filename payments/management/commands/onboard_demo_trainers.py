"""For `make run`: each demo trainer gets a connected account at the Stripe emulator and finishes
its onboarding there, so the transfers of their completed sessions go through.

The emulator starts empty on every `make run` while our database keeps the demo trainers, so the
accounts are made again each time. Only against an emulator (STRIPE_API_BASE set): real Stripe's
onboarding is a person filling in Stripe's forms.
"""

import contextlib
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.management.commands.seed_demo import TRAINERS
from payments.commands.accounts import (
    payout_account_ensure,
    payout_account_sync,
    payout_onboarding_url,
)
from trainers.models import TrainerProfile


def complete_onboarding(url: str) -> None:
    """What the trainer does on the emulator's onboarding page: open it, press Complete."""
    with urllib.request.urlopen(url, timeout=10) as page:  # noqa: S310 (the emulator's URL)
        page.read()
    form = urllib.parse.urlencode({"outcome": "complete"}).encode()
    post = urllib.request.Request(url, data=form, method="POST")  # noqa: S310 (the emulator)
    # Stripe then sends the trainer to our return URL, which may not be up yet: nothing is
    # needed there (the account is read below).
    with contextlib.suppress(urllib.error.URLError):
        urllib.request.urlopen(post, timeout=10).read()  # noqa: S310


class Command(BaseCommand):
    help = "Give the demo trainers onboarded connected accounts at the Stripe emulator."

    def handle(self, *args, **options):
        if not settings.STRIPE_API_BASE or "api.stripe.com" in settings.STRIPE_API_BASE:
            raise CommandError("Only against the Stripe emulator (STRIPE_API_BASE).")
        site = settings.SITE_URL.rstrip("/")
        emails = [t.email for t in TRAINERS]
        for trainer in TrainerProfile.objects.filter(user__email__in=emails).select_related("user"):
            TrainerProfile.objects.filter(pk=trainer.pk).update(stripe_account_id=None)
            trainer.stripe_account_id = None
            payout_account_ensure(trainer)
            url = payout_onboarding_url(
                trainer,
                refresh_url=f"{site}/trainer/payouts/onboarding/",
                return_url=f"{site}/trainer/payouts/return/",
            )
            complete_onboarding(url)
            trainer = payout_account_sync(trainer)
            state = "enabled" if trainer.payouts_enabled else "NOT enabled"
            self.stdout.write(f"{trainer.user.email}: {trainer.stripe_account_id}, payouts {state}")
