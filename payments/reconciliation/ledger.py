"""The last step of a reconciliation: the ledger checked against the rows and Stripe.

Run after every other sweep, so that what they applied is posted; a difference left is one no
catching up explains (a posting missed, a row changed behind the ledger's back) and needs a
person, like an open payment alert. The result is stored for the admin as every run of
`manage.py verify_ledger` is (ledger.models.Verification).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ledger.verification import DEFAULT_PERIOD, verify_ledger
from payments.reconciliation.summary import ReconcileSummary


def verify_the_ledger(now: dt.datetime, summary: ReconcileSummary) -> None:
    # The period ends now, not when the run started: the rows the sweeps just changed are in it.
    end = max(now, timezone.now())
    report = verify_ledger(start=end - DEFAULT_PERIOD, end=end)
    summary.ledger_exit_code = report.exit_code
    summary.ledger_differences = list(report.differences)
    if report.stripe_error:
        summary.errors.append(
            f"ledger verification: Stripe could not be asked ({report.stripe_error})"
        )
