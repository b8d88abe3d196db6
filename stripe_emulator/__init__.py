"""A Stripe emulator for development and tests: localstripe (run as its own process, spoken to
over HTTP) behind a front of ours that adds Stripe Connect (accounts, onboarding links, login
links, transfers and reversals, balances and payouts of connected accounts, and their signed
events), idempotency keys for those, refunds as Stripe makes them (never beyond the charge,
idempotent, announced by charge.refunded and refund.created), `transfer_group` on
PaymentIntents, and 3-D Secure asked once for a card authenticated when it was set up.

Start it with `manage.py stripe_emulator --port N`; the README's "Stripe emulator" section
lists what it copies from Stripe and what it does not.
"""
