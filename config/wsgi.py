import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: without this a production start missing its secrets would serve
# requests (signing tokens with a throwaway key) instead of stopping with the variable's name.
from config.checks import check_required_secrets  # noqa: E402

_errors = check_required_secrets(None)
if _errors:
    raise ImproperlyConfigured(" ".join(e.msg for e in _errors))
