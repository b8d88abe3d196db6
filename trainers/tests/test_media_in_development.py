"""Uploaded photos are served by the app in development, and left to the deployer otherwise."""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches

import config.urls

pytestmark = pytest.mark.django_db


def reload_urls():
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def debug_urls(settings):
    settings.DEBUG = True
    reload_urls()
    yield
    settings.DEBUG = False
    reload_urls()


def test_it_serves_uploaded_files_in_development(client, debug_urls, settings):
    name = default_storage.save("trainers/photos/1-abc.jpg", ContentFile(b"jpeg bytes"))
    response = client.get(settings.MEDIA_URL + name)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"jpeg bytes"


def test_it_does_not_serve_them_with_debug_off(client, settings):
    name = default_storage.save("trainers/photos/1-abc.jpg", ContentFile(b"jpeg bytes"))
    assert client.get(settings.MEDIA_URL + name).status_code == 404
