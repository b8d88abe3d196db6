"""Commands: what we ask Stripe to do with money, each a write our rows decide.

create a PaymentIntent (intents.py), charge a card in the browser checkout (checkout.py), refund
(refunds.py), settle a cancelled booking's money (cancellation.py, the one entry point bookings
calls), fetch a paid payment's card and receipt (details.py).

Every command follows one pattern: decide and reserve under a row lock in a short transaction,
commit, call Stripe (seconds, maybe; never under a lock), then record Stripe's answer through
payments.apply in a second short transaction. Stripe's failures reach callers as our domain
errors (stripe_errors.py). The emulator ignores idempotency keys and accepts over-refunds, so the
reservations on our rows are the real guard.
"""
