from core.tests.factories import PASSWORD


def obtain_tokens(api, email: str, password: str = PASSWORD) -> dict:
    r = api.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert r.status_code == 200, r.content
    return r.json()
