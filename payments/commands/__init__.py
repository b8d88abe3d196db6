"""Commands: what we ask Stripe to do with money, each a write our rows decide.

create a PaymentIntent (intents.py), charge a card in the browser checkout (checkout.py), refund
(refunds.py), settle a cancelled booking's money (cancellation.py, the one entry point bookings
calls), fetch a paid payment's card and receipt (details.py), send a trainer's share (transfers.py);
retrying.py makes the Celery tasks that retry them while Stripe is in trouble.

Every command follows one pattern: decide and reserve under a row lock in a short transaction,
commit, call Stripe (seconds, maybe; never under a lock), then record Stripe's answer through
payments.apply in a second short transaction. Stripe's failures reach callers as our domain
errors (stripe_errors.py). Stripe keeps idempotency keys for 24 hours only (the emulator's
PaymentIntents, localstripe's, not at all), so the reservations on our rows are the real guard.
"""
