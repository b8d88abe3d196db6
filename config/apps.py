from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Configuration"

    def ready(self):
        # Django wants checks registered once the app registry is ready, hence the import here
        # (registering is importing: the module's @register decorators).
        from config import checks  # noqa: F401
