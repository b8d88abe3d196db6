"""/healthz says the process answers; /readyz says whether its dependencies do, and which not."""

import pytest
from django.db import connection

from config.celery import app as celery_app
from ops import health
from ops.tests.conftest import closed_port


@pytest.fixture
def broker_down():
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.update(
        broker_url=f"redis://127.0.0.1:{closed_port()}/0", task_always_eager=False
    )
    yield
    celery_app.conf.update(saved)


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_every_dependency_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_cache_when_redis_is_down(client, redis_cache_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"].startswith("unreachable")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_down(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


@pytest.mark.django_db
def test_readyz_names_migrations_not_yet_applied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_done", False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'payments'")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"].endswith("unapplied")


def test_probes_answer_on_any_host_over_plain_http_in_production(client, settings):
    # Orchestrators probe the container's own IP over HTTP, which a production config refuses.
    settings.ALLOWED_HOSTS = ["fitconnect.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/trainers/", HTTP_HOST="10.1.2.3:8000").status_code == 400


@pytest.mark.django_db
def test_a_redis_outage_answers_503_with_retry_after_not_500(redis_cache_down):
    from django.test import Client

    browser = Client(raise_request_exception=False)
    # Registration counts its rate limit in the cache (the login throttle is in the database).
    response = browser.post(
        "/api/v1/auth/register/",
        {
            "email": "someone@example.com",
            "password": "Str0ng-pass-phrase",
            "first_name": "Ana",
            "last_name": "Lee",
            "role": "client",
        },
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"error": "Temporarily unavailable, please try again in a moment."}


@pytest.mark.django_db
def test_the_apps_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
