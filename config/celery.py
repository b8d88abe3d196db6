import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("fitconnect")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task log lines carry the request_id of the request that queued them.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers log as the web processes do (settings.LOGGING: JSON lines in production)."""
    logging.config.dictConfig(settings.LOGGING)
