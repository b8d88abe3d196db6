"""Every variable settings.py reads is documented in .env.example, under the contract's names."""

import ast
import re

from django.conf import settings

SETTINGS_FILE = settings.BASE_DIR / "config" / "settings.py"
ENV_EXAMPLE = settings.BASE_DIR / ".env.example"
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")

# Tools outside the repo start the app with these exact names: they may not change.
CONTRACT = [
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "PLATFORM_FEE_PERCENT",
    "CELERY_BROKER_URL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
]


def variables_read_by_settings() -> set[str]:
    """Names passed to env(...), env.bool(...), env.db(...) and friends in settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def documented() -> dict[str, str]:
    """NAME -> the comment line right above its `# NAME=default` line in .env.example."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    found = {}
    for i, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            above = lines[i - 1] if i else ""
            is_comment = above.startswith("#") and not ASSIGNMENT.match(above)
            found[match.group(1)] = above if is_comment else ""
    return found


def test_it_finds_the_variables_it_checks():
    # Guards the AST walk itself: if settings changed style, this test must not pass vacuously.
    assert {"SECRET_KEY", "DATABASE_URL", "STRIPE_WEBHOOK_SECRET"} <= variables_read_by_settings()


def test_it_documents_every_settings_variable_with_a_comment():
    docs = documented()
    missing = sorted(variables_read_by_settings() - set(docs))
    assert not missing, f"Add these to .env.example: {missing}"
    uncommented = sorted(name for name in variables_read_by_settings() if not docs[name])
    assert not uncommented, f"Put a comment line above these in .env.example: {uncommented}"


def test_it_reads_and_documents_the_contract_names_exactly():
    read, docs = variables_read_by_settings(), documented()
    assert [name for name in CONTRACT if name not in read] == []
    assert [name for name in CONTRACT if name not in docs] == []


def test_it_documents_no_variable_that_nothing_reads():
    # createsuperuser reads the DJANGO_SUPERUSER_* ones itself.
    stale = set(documented()) - variables_read_by_settings()
    assert sorted(n for n in stale if not n.startswith("DJANGO_SUPERUSER_")) == []
