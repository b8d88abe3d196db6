# The payments tests' Stripe emulator and request recorder, for the checks against Stripe.
from payments.tests.conftest import localstripe, localstripe_server, stripe_requests  # noqa: F401
