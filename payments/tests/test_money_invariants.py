"""Property: whatever the interleaving of API cancels, refunds, checkout attempts (some of whose
answers are lost, then retried) and webhook deliveries (duplicated, reordered, dropped), one
reconciliation afterwards leaves:
- our succeeded refunds equal to Stripe's, intent by intent;
- no intent that succeeded at Stripe without its payment row;
- fee + payout = amount - refunds on every payment;
- no booking both refunded in full and confirmed;
- no booking paid more than its price, and no money we no longer want kept;
and no webhook answered 500 along the way.

Hypothesis draws the operations; each example starts from an empty database (a rolled-back
transaction) and an empty emulator. Derandomized with a bounded number of examples, so the
suite runs the same ones every time in a few seconds; MONEY_PROPERTY_EXAMPLES raises the count
for a longer hunt (make test-money-property).
"""

import datetime as dt
import os

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from payments.reconciliation import reconcile_payments
from payments.tests.money_world import World, check_invariants

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
EXAMPLES = int(os.environ.get("MONEY_PROPERTY_EXAMPLES", "12"))

CHANGES = st.sampled_from(
    [
        ("pay",),
        ("pay_answer_lost",),
        ("pay_through_the_api",),
        ("time_passes",),
        ("client_cancels",),
        ("trainer_cancels",),
        ("trainer_refunds",),
        ("trainer_refunds_answer_lost",),
    ]
)
# Deliver the n-th event Stripe has for us: any may come twice, late, or never.
DELIVERIES = st.tuples(st.just("deliver"), st.integers(min_value=0, max_value=20))
# Three changes to one delivery: interleavings of several changes are the rarer, richer ones.
OPERATIONS = st.lists(st.one_of(CHANGES, CHANGES, CHANGES, DELIVERIES), min_size=1, max_size=10)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Each example resets the database and the emulator itself (see below).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
# The interleavings the scenarios of the regression tests are made of, always tried first.
@example(operations=[("pay_answer_lost",), ("time_passes",), ("pay",), ("deliver", 1)])
@example(operations=[("pay",), ("trainer_refunds_answer_lost",), ("client_cancels",)])
@example(operations=[("pay_through_the_api",), ("client_cancels",), ("deliver", 0)])
@example(operations=[("pay",), ("trainer_cancels",), ("deliver", 1), ("deliver", 0)])
def test_money_invariants_hold_after_any_interleaving_and_one_reconciliation(
    operations, localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks
):
    localstripe.reset()
    with transaction.atomic():
        world = World(localstripe, stripe_requests, as_user, api)
        for op in operations:
            with django_capture_on_commit_callbacks(execute=True):
                world.run(op)
        with django_capture_on_commit_callbacks(execute=True):
            summary = reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
        assert summary.failures == []
        check_invariants(world)
        transaction.set_rollback(True)
