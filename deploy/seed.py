"""Trainers and clients for the scale-out tests and the load test (run with the stack's settings).

    python -c "import django; django.setup(); from deploy.seed import seed; print(seed(8, 40))"

Every client has the password CLIENT_PASSWORD, hashed once (PBKDF2 per user would take minutes
on 2 cores). Trainers are open every day 06:00-22:00 UTC at rates from 60.00 to 130.00.
"""

import datetime as dt
import json

from django.contrib.auth.hashers import make_password

from accounts.models import User
from trainers.models import AvailabilityWindow, TrainerProfile

CLIENT_PASSWORD = "loadtest-client-pass-7"


def seed(trainers: int, clients: int) -> str:
    """JSON {"trainers": [ids], "clients": [emails], "password": ...}."""
    password = make_password(CLIENT_PASSWORD)
    trainer_ids = []
    for i in range(trainers):
        user = User.objects.create(
            email=f"trainer{i}@loadtest.example", password=password, role="trainer",
            first_name="Trainer", last_name=str(i),
        )  # fmt: skip
        profile = TrainerProfile.objects.create(
            user=user, hourly_rate=6000 + 1000 * (i % 8), currency="usd", timezone="UTC",
            bio="Load test trainer", specialties=["strength"],
            stripe_account_id=f"acct_loadtest{i}", charges_enabled=True, payouts_enabled=True,
            details_submitted=True,
        )  # fmt: skip
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(
                trainer=profile, weekday=d, start_time=dt.time(6), end_time=dt.time(22)
            )
            for d in range(7)
        )
        trainer_ids.append(profile.pk)
    emails = [f"client{i}@loadtest.example" for i in range(clients)]
    User.objects.bulk_create(
        User(email=e, password=password, role="client", first_name="Client", last_name="Load")
        for e in emails
    )
    return json.dumps({"trainers": trainer_ids, "clients": emails, "password": CLIENT_PASSWORD})
