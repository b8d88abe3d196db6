import pytest
from django.db import transaction

from config.celery import app as celery_app

# The emulator and the payment starter of the payments tests, for the webhook email tests.
from payments.tests.conftest import (  # noqa: F401
    localstripe,
    localstripe_server,
    paid_booking,
    start_payment,
    stripe_requests,
)


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process (the embedded default), whatever broker the environment names."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """commit(fn, *args): run fn in a transaction as payments does, then its on_commit work."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return fn(*args, **kwargs)

    return run
