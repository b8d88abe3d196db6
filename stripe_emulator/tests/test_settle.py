"""`POST /_config/settle` (the tests' teardown): once it answers, no event made before it reaches
an endpoint registered after it, whether the event is ours or localstripe's (which delivers 1 s
late), so one test's deliveries never land in the next test's database."""

import time

import pytest

from stripe_emulator.tests.conftest import SECRET

pytestmark = pytest.mark.stripe


def test_an_event_made_before_settling_never_reaches_the_next_tests_endpoint(
    localstripe, sdk, receiver
):
    intent = sdk.v1.payment_intents.create(
        {"amount": 7500, "currency": "usd", "allowed_payment_method_types": ["card"]}
    )
    sdk.v1.payment_intents.update(intent.id, {"payment_method": "pm_card_visa"})
    sdk.v1.payment_intents.confirm(intent.id)  # localstripe sends payment_intent.succeeded 1 s on
    sdk.v1.refunds.create({"payment_intent": intent.id, "amount": 500})  # ours at once

    localstripe.settle()
    # The next test registers its endpoint at once.
    localstripe.register_webhook(f"{receiver.url}/next", secret=SECRET, hook_id="platform")
    time.sleep(2)

    assert receiver.events("/next", wait=0) == []
    localstripe.disable_webhooks()
