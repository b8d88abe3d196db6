import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_an_admin_from_environment_variables(api, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "An-admin-pass-42")
    call_command("createsuperuser", interactive=False, verbosity=0)
    admin = User.objects.get()
    assert admin.email == "boss@example.com"
    assert admin.is_staff and admin.is_superuser and admin.role == User.Role.ADMIN
    r = api.post(
        "/api/v1/auth/token/",
        {"email": "boss@example.com", "password": "An-admin-pass-42"},
        format="json",
    )
    assert r.status_code == 200


def test_it_needs_the_email(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "An-admin-pass-42")
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, verbosity=0)
    assert not User.objects.exists()
