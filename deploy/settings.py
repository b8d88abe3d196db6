"""The production settings plus one bare view, for the load test's floor (deploy/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "deploy.urls"
