"""Emails give a session on the trainer's clock and, when it reads differently, on the reader's
(a New York session after the US daylight-saving change of 14 March 2027, read in Tokyo)."""

import datetime as dt

import pytest
from django.core import mail

from core.tests.factories import ClientFactory, TrainerProfileFactory
from notifications.services import notify_payment_succeeded
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_emails_give_the_trainers_time_and_the_readers(commit):
    new_york = TrainerProfileFactory(timezone="America/New_York", user__timezone="America/New_York")
    client_user = ClientFactory(timezone="Asia/Tokyo")
    start = dt.datetime(2027, 3, 15, 10, tzinfo=UTC)  # 06:00 EDT, the Monday after the change
    payment = PaidPaymentFactory(
        booking__trainer=new_york,
        booking__client=client_user,
        booking__start_time=start,
    )
    commit(notify_payment_succeeded, payment)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    receipt = by_recipient[client_user.email]
    assert (
        "Monday 15 March 2027, 06:00-07:00 EDT (America/New_York); your time: "
        "Monday 15 March 2027, 19:00-20:00 JST (Asia/Tokyo)"
    ) in " ".join(receipt.body.split())
    trainer_copy = " ".join(by_recipient[new_york.user.email].body.split())
    assert "Monday 15 March 2027, 06:00-07:00 EDT (America/New_York)" in trainer_copy
    assert "your time" not in trainer_copy
