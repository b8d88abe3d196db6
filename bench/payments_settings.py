"""Bench-only settings: the app's own settings plus a urlconf that adds the bare webhook view.

Used by `bench/payments.py` for its gunicorn and in-process runs; never by the app itself.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.payments_urls"
