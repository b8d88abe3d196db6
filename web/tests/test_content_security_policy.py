import pytest

pytestmark = pytest.mark.django_db


def test_it_allows_only_the_app_and_stripe_js_in_production(client, settings):
    settings.CSP_ENABLED = True
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com;" in policy
    assert "frame-src https://js.stripe.com https://hooks.stripe.com;" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_it_allows_the_emulators_stripe_js_in_development(client, settings):
    settings.CSP_ENABLED = True
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:8420;" in policy


def test_it_leaves_the_json_api_alone_and_is_off_when_disabled(client, settings):
    settings.CSP_ENABLED = True
    assert "Content-Security-Policy" not in client.get("/api/v1/trainers/").headers
    settings.CSP_ENABLED = False
    assert "Content-Security-Policy" not in client.get("/").headers


def test_it_allows_photos_from_object_storage_on_another_host(client, settings):
    settings.CSP_ENABLED = True
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    settings.MEDIA_URL = "https://photos.example-bucket.test/media/"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://photos.example-bucket.test;" in policy
