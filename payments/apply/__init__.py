"""Apply: what Stripe has told us, written to our rows. The layer every money movement passes.

Stripe's word reaches us two ways: an event (a webhook, or one reconciliation listed) and the
answer to a request of ours (payments.commands). Both end here, with the payment row locked and
inside the caller's transaction:
- intents.py: a PaymentIntent's state (in progress, failed, canceled, succeeded, under review);
- refunds.py: Stripe's refunds of a charge, ours or the Dashboard's, each recorded once;
- disputes.py: a chargeback opened, won or lost;
- derivation.py: what follows from the rows (refund totals, the collected status, the booking's
  payment status), recomputed after every change;
- movements.py: one function per movement of money, called in the same transaction as the change
  that records it (the ledger's entries belong there).
Nothing here calls Stripe or queues work: what must happen after commit (fetching a card,
refunding a late success) is asked for in the ApplyResult and done by the caller.
"""
