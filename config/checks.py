"""System checks for configuration that must be right before the app serves anyone."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register

# Settings that have a development default but must come from the environment in production,
# with the id of the check that names each one.
REQUIRED_IN_PRODUCTION = {
    "SECRET_KEY": "fitconnect.E001",
    "STRIPE_SECRET_KEY": "fitconnect.E002",
    "STRIPE_WEBHOOK_SECRET": "fitconnect.E003",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "fitconnect.E011",
}


@register(Tags.security, deploy=False)
def check_required_secrets(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    missing = {
        "SECRET_KEY": settings.SECRET_KEY_MISSING,
        "STRIPE_SECRET_KEY": not settings.STRIPE_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": not settings.STRIPE_WEBHOOK_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": not settings.STRIPE_CONNECT_WEBHOOK_SECRET,
    }
    return [
        Error(
            f"{name} is not set. Set the {name} environment variable (see .env.example).",
            id=check_id,
        )
        for name, check_id in REQUIRED_IN_PRODUCTION.items()
        if missing[name]
    ]


@register(Tags.security, deploy=False)
def check_no_development_defaults(app_configs, **kwargs):
    """The development values are published in settings.py: anyone could sign an admin's JWT
    with that SECRET_KEY, or a webhook with that signing secret."""
    if settings.DEBUG:
        return []
    return [
        Error(
            f"{name} is the public development default. Set the {name} environment variable to "
            "your own secret (see .env.example).",
            id="fitconnect.E004",
        )
        for name, value in settings.DEV_DEFAULTS.items()
        if getattr(settings, name) == value
    ]


# Caches that each process keeps for itself, or that cannot count atomically.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(Tags.caches, deploy=False)
def check_shared_cache(app_configs, **kwargs):
    """Rate limits count in the cache; a per-process cache gives each worker its own count."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in UNSHARED_CACHES:
        return []
    return [
        Error(
            f"CACHE_URL gives a cache each process keeps for itself ({backend}): rate limits "
            "would count per process.",
            hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/1.",
            id="fitconnect.E005",
        )
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


def startup_errors() -> list[Error]:
    """The checks a production start must pass; gunicorn runs no system checks of its own."""
    return [
        *check_required_secrets(None),
        *check_no_development_defaults(None),
        *check_shared_cache(None),
    ]
