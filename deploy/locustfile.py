"""Clients of FitConnect under load (Locust, headless; `make loadtest` starts it).

Each simulated client signs in once, then browses trainers, reads slots, books, pays with one
of the emulator's cards (success, charge-time decline, 3-D Secure completed or failed, as
Stripe.js would drive them) and cancels some paid bookings. Beside them, `Floor` requests a
Django view that does nothing (/loadtest/bare/), through the same nginx and gunicorn, so the
run measures the floor its figures are compared to.

Runs in Locust's own virtualenv (var/locust-venv): nothing here imports the app. Reads
LOADTEST_ACCOUNTS (a JSON file: trainers, clients, password) and LOADTEST_STRIPE_URL.
"""

import datetime as dt
import json
import os
import random

from locust import HttpUser, between, task

ACCOUNTS = json.loads(open(os.environ["LOADTEST_ACCOUNTS"]).read())  # noqa: SIM115
STRIPE_URL = os.environ["LOADTEST_STRIPE_URL"]
STRIPE_KEY = {"Authorization": "Bearer sk_test_stack"}
# The cards a client pays with, and how often.
CARDS = [("visa", 60), ("decline", 20), ("3ds", 20)]
THREE_DS_CARD = "4000002500003155"


class Client(HttpUser):
    wait_time = between(0.5, 2.0)
    weight = 6

    def on_start(self):
        self.email = random.choice(ACCOUNTS["clients"])
        with self.client.post(
            "/api/v1/auth/token/",
            json={"email": self.email, "password": ACCOUNTS["password"]},
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"login {response.status_code}")
                self.token = None
                return
            self.token = response.json()["access"]

    @property
    def auth(self):
        return {"Authorization": f"Bearer {self.token}"}

    @task(4)
    def browse(self):
        self.client.get("/api/v1/trainers/", name="trainers: list")
        self.client.get("/trainers/", name="page: trainers")

    @task(2)
    def trainer(self):
        trainer = random.choice(ACCOUNTS["trainers"])
        self.client.get(f"/api/v1/trainers/{trainer}/", name="trainers: detail")

    @task(3)
    def slots(self):
        self._slots(random.choice(ACCOUNTS["trainers"]))

    @task(1)
    def my_bookings(self):
        if self.token:
            self.client.get("/api/v1/bookings/", headers=self.auth, name="bookings: list")

    @task(4)
    def book_and_pay(self):
        if not self.token:
            return
        trainer = random.choice(ACCOUNTS["trainers"])
        slots = self._slots(trainer)
        if not slots:
            return
        with self.client.post(
            "/api/v1/bookings/",
            json={"trainer_id": trainer, "start_time": random.choice(slots),
                  "duration_minutes": 60},
            headers=self.auth,
            name="bookings: create",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code == 409:
                response.success()  # someone else took the slot first: an expected answer
                return
            if response.status_code == 400 and "unpaid sessions" in response.text:
                # Declined and abandoned bookings hold their slot for a while, and a client may
                # hold only a few unpaid ones: the app's answer to hoarding, expected here.
                response.success()
                return
            if response.status_code != 201:
                response.failure(f"{response.status_code}")
                return
            booking = response.json()["id"]
        if random.random() < 0.1:
            return  # abandoned: the hold expires
        with self.client.post(
            "/api/v1/payments/create-payment-intent/",
            json={"booking_id": booking},
            headers=self.auth,
            name="payments: create intent",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            intent = response.json()
        card = random.choices([c for c, _ in CARDS], weights=[w for _, w in CARDS])[0]
        if self._pay(intent, card) and random.random() < 0.25:
            self.client.post(
                f"/api/v1/bookings/{booking}/cancel/",
                json={"reason": "load test"},
                headers=self.auth,
                name="bookings: cancel (refund)",
            )

    def _slots(self, trainer):
        day = dt.date.today() + dt.timedelta(days=random.randint(2, 9))
        with self.client.get(
            f"/api/v1/trainers/{trainer}/slots/?date={day}&duration_minutes=60",
            name="trainers: slots",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return []
            return response.json()

    def _stripe(self, path, data, name):
        """What Stripe.js would do in the browser, against the emulator."""
        return self.client.post(
            f"{STRIPE_URL}{path}", data=data, headers=STRIPE_KEY, name=f"emulator: {name}",
            catch_response=True,
        )  # fmt: skip

    def _pay(self, intent, card) -> bool:
        """True when the card was charged."""
        pi = intent["payment_intent_id"]
        if card == "3ds":
            with self._stripe("/v1/payment_methods", {
                "type": "card", "card[number]": THREE_DS_CARD, "card[exp_month]": "12",
                "card[exp_year]": "2034", "card[cvc]": "123"}, "card") as response:  # fmt: skip
                method = response.json()["id"]
        else:
            method = "pm_card_visa" if card == "visa" else "pm_card_chargeCustomerFail"
        with self._stripe(f"/v1/payment_intents/{pi}", {"payment_method": method}, "attach"):
            pass
        with self._stripe(f"/v1/payment_intents/{pi}/confirm", {}, "confirm") as response:
            if card == "decline":
                # The decline is the expected answer; the webhook tells the app.
                if response.status_code == 402:
                    response.success()
                return False
            status = response.json().get("status")
        if status == "requires_action":
            completed = random.random() < 0.8
            with self._stripe(
                f"/v1/payment_intents/{pi}/_authenticate",
                {"client_secret": intent["client_secret"], "success": str(completed).lower()},
                "3-D Secure",
            ):
                pass
            return completed
        return status == "succeeded"


class Floor(HttpUser):
    """A bare Django view, measured in the same run: the floor of nginx + gunicorn + Django."""

    wait_time = between(0.5, 2.0)
    weight = 1

    @task
    def bare(self):
        self.client.get("/loadtest/bare/", name="floor: bare Django view")
