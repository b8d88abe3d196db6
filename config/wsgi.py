import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: without this a production start missing its secrets, or using
# the public development ones, would serve requests (signing tokens with a key anyone has)
# instead of stopping with the variable's name.
from config.checks import startup_errors  # noqa: E402

_errors = startup_errors()
if _errors:
    raise ImproperlyConfigured(" ".join(e.msg for e in _errors))
