"""What every benchmark starts with: a PostgreSQL database of its own (never DATABASE_URL) and
Django configured as in production, with throwaway secrets."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fitconnect_bench"


def database_url(suffix: str = "") -> tuple[str, str, str]:
    """(the benchmark's url, its database name, the maintenance url): BENCH_DATABASE_URL's
    server, its database name + suffix."""
    parsed = urlparse(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("BENCH_DATABASE_URL must be a PostgreSQL URL.")
    name = parsed.path.lstrip("/") + suffix
    return (
        parsed._replace(path=f"/{name}").geturl(),
        name,
        parsed._replace(path="/postgres").geturl(),
    )


def recreate_database(admin_url: str, name: str, *, create: bool) -> None:
    """Drop the database, and create it empty again when `create`."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def configure_django(db_url: str, *, quiet: bool = True, **env: str) -> None:
    """Django on `db_url` as in production (DEBUG off: no query log), the benchmark's throwaway
    secrets, `env` on top; quiet: the app's INFO lines would bury the results."""
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789-0123456789-0123456789",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        }
    )
    import logging
    import warnings

    import django

    # WhiteNoise warns that collectstatic has not run; the benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    if quiet:
        logging.getLogger().setLevel(logging.WARNING)
