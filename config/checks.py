"""System checks for configuration that must be right before the app serves anyone."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Settings that have a development default but must come from the environment in production.
REQUIRED_IN_PRODUCTION = ["SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]


@register(Tags.security, deploy=False)
def check_required_secrets(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    missing = {
        "SECRET_KEY": settings.SECRET_KEY_MISSING,
        "STRIPE_SECRET_KEY": not settings.STRIPE_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": not settings.STRIPE_WEBHOOK_SECRET,
    }
    return [
        Error(
            f"{name} is not set. Set the {name} environment variable (see .env.example).",
            id=f"fitconnect.E00{i}",
        )
        for i, name in enumerate(REQUIRED_IN_PRODUCTION, start=1)
        if missing[name]
    ]
