from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the app: health probes, metrics, logs."""

    name = "ops"

    def ready(self):
        from ops import logs  # noqa: F401 (connects the outage receiver)
