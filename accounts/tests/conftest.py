import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Nearly every test here hashes or checks a password; PBKDF2's deliberate slowness would make
    # this folder take a minute. What is tested is our flow, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
