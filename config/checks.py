"""System checks for configuration that must be right before the app serves anyone."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
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


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs, **kwargs):
    """With the manifest storage (DEBUG off) every page names its CSS and JS through the manifest
    that `collectstatic` writes; without it each page is a 500 ("Missing staticfiles manifest
    entry"). Deploy checks run before the app serves anyone, so say so there."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Error(
            f"No static files manifest in STATIC_ROOT ({settings.STATIC_ROOT}): every page would "
            "answer 500.",
            hint="Run `manage.py collectstatic --noinput` before starting the app.",
            id="fitconnect.E010",
        )
    ]
