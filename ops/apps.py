from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the app: health probes, metrics, logs."""

    name = "ops"
