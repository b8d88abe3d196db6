"""What /readyz checks: can this process serve requests that need its dependencies?

Each check answers None when all is well, or a short reason. Reasons name the failure's kind,
never a URL or its password: /readyz is public.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from config.celery import app

# A probe must answer before the orchestrator's own timeout (often 1-5 s), down or not.
TIMEOUT_SECONDS = 2
_migrations_done = False


def _reason(exc: Exception) -> str:
    return f"unreachable ({type(exc).__name__})"


def check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return _reason(exc)
    return None


def check_migrations() -> str | None:
    """Unapplied migrations: the code expects tables or columns the database does not have yet.

    Once they are all applied they stay applied for this process's code, so the (costly)
    migration graph is loaded only until the first success.
    """
    global _migrations_done
    if _migrations_done:
        return None
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return _reason(exc)
    if pending:
        return f"{len(pending)} unapplied"
    _migrations_done = True
    return None


def check_cache() -> str | None:
    try:
        cache.set("ops:readyz", "ok", timeout=10)
        if cache.get("ops:readyz") != "ok":
            return "does not keep values"
    except Exception as exc:
        return _reason(exc)
    return None


def check_broker() -> str | None:
    if app.conf.task_always_eager:
        return None  # tasks run in-process: there is no broker to reach
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        return _reason(exc)
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "broker": check_broker,
}


def readiness() -> dict[str, str]:
    """{check name: "ok" or the reason it failed}, for every check."""
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "not checked (no database)"
            continue
        results[name] = check() or "ok"
    return results
