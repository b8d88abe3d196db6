import pytest

from accounts.models import User
from core.tests.factories import PASSWORD, ClientFactory
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db


def _signup(client, **overrides):
    data = {
        "role": "trainer",
        "first_name": "Kim",
        "last_name": "Lee",
        "email": "kim@example.com",
        "password": "a-long-Pass-phrase-9",
    }
    return client.post("/signup/", {**data, **overrides})


def test_it_signs_up_a_trainer_with_a_profile_and_logs_them_in(client):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    user = User.objects.get(email="kim@example.com")
    assert user.role == User.Role.TRAINER
    assert TrainerProfile.objects.filter(user=user).exists()
    assert client.get("/trainer/").status_code == 200


def test_it_refuses_a_taken_email_and_a_weak_password(client):
    ClientFactory(email="kim@example.com")
    assert _signup(client).status_code == 400
    assert _signup(client, email="new@example.com", password="123").status_code == 400
    assert not User.objects.filter(email="new@example.com").exists()


def test_it_refuses_signing_up_as_an_admin(client):
    assert _signup(client, role="admin", email="boss@example.com").status_code == 400
    assert not User.objects.filter(email="boss@example.com").exists()


def test_it_logs_in_and_out_with_a_session(client):
    user = ClientFactory()
    response = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/sessions/").status_code == 200
    client.post("/logout/")
    assert client.get("/sessions/").status_code == 302


def test_it_refuses_a_wrong_password_and_throttles_repeated_failures(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = ClientFactory()
    bad = {"email": user.email, "password": "wrong"}
    assert client.post("/login/", bad).status_code == 400
    assert client.post("/login/", bad).status_code == 400
    blocked = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_does_not_redirect_to_another_site_after_login(client):
    user = ClientFactory()
    response = client.post(
        "/login/", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/trainers/"


def test_staff_find_the_admin_and_analytics_from_the_site(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/trainers/").content.decode()
    assert 'href="/admin/"' in page and 'href="/dashboard/analytics/"' in page


def test_clients_get_no_staff_links(client):
    client.force_login(ClientFactory())
    page = client.get("/trainers/").content.decode()
    assert 'href="/admin/"' not in page and "/dashboard/analytics/" not in page
