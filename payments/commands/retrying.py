"""Celery tasks that call Stripe and retry while Stripe is in trouble, and queueing them."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import Retry


def stripe_task(name: str, *, retry_on: type[Exception]):
    """A task retried on `retry_on` with 5 s doubling to 10 min and jitter, 8 times (about 20
    minutes of Stripe trouble; reconciliation or a sweep after that), and acknowledged only once
    it has run, so a worker killed mid-task leaves it queued."""
    return shared_task(
        name=name,
        bind=True,
        autoretry_for=(retry_on,),
        retry_backoff=5,
        retry_backoff_max=600,
        retry_jitter=True,
        max_retries=8,
        acks_late=True,
    )


def queue(task, *args, eager_attempts: int) -> bool:
    """Queue the task to the broker, or, with none (eager mode), run it here: True when it was
    queued or ran. Eager mode with CELERY_TASK_EAGER_PROPAGATES raises Celery's Retry out of
    apply() instead of retrying, so it is retried here as a worker would (minus the wait); False
    when every attempt asked for a retry."""
    if not task.app.conf.task_always_eager:
        task.delay(*args)
        return True
    for retries in range(eager_attempts):
        try:
            task.apply(args, retries=retries)
            return True
        except Retry:
            continue
    return False
