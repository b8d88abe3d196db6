# The payments tests' Stripe emulator and request recorder, for the checks against Stripe.
from payments.tests.conftest import (  # noqa: F401
    localstripe,
    localstripe_server,
    start_payment,
    stripe_requests,
)
