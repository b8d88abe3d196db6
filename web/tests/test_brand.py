import re

import pytest
from django.conf import settings
from django.core import mail

from notifications.services import notify_payment_succeeded
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db
CSS = settings.BASE_DIR / "web" / "static" / "web" / "app.css"


def test_the_favicon_is_served_and_named_by_every_page(client):
    """/favicon.ico, which browsers ask every site for, was a 404 on every page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/").content.decode()


def test_emails_use_the_pages_brand_colour(django_capture_on_commit_callbacks):
    """Emails were teal (#0f766e), the pages blue."""
    brand = re.search(r"--brand:\s*(#[0-9a-fA-F]{6})", CSS.read_text())[1]
    with django_capture_on_commit_callbacks(execute=True):
        notify_payment_succeeded(PaidPaymentFactory())
    for message in mail.outbox:
        html = message.alternatives[0].content
        assert brand in html
        assert "#0f766e" not in html


def test_emails_use_the_pages_palette(django_capture_on_commit_callbacks):
    """One palette for pages and e-mails: the ink, muted text, background and line greys."""
    css = CSS.read_text()
    colours = {
        name: re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css)[1]
        for name in ("ink", "muted", "bg", "line")
    }
    with django_capture_on_commit_callbacks(execute=True):
        notify_payment_succeeded(PaidPaymentFactory())
    html = mail.outbox[0].alternatives[0].content
    for name, colour in colours.items():
        assert colour in html, name
    for old in ("#111827", "#6b7280", "#f3f4f6"):
        assert old not in html
