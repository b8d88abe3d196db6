import email
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail

from notifications.services import notify_refund_succeeded
from notifications.tests.factories import RefundFactory

pytestmark = pytest.mark.django_db


def test_it_prints_each_email_and_saves_it_under_var_mail(commit, settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "notifications.backends.ConsoleAndFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    refund = RefundFactory(amount=3750)

    commit(notify_refund_succeeded, refund)

    assert "Your refund of 37.50 USD is on its way" in capsys.readouterr().out
    [saved] = (tmp_path / "mail").glob("*.eml")
    assert saved.name.endswith("-your-refund-of-37-50-usd-is-on-its-way.eml")
    message = email.message_from_bytes(saved.read_bytes())
    assert message["To"] == refund.payment.booking.client.email
    assert message.get_content_type() == "multipart/alternative"
    assert mail.outbox == []


def test_it_is_the_default_email_backend_when_debug_and_none_is_set():
    # The test runner swaps in locmem, so ask a fresh process what `make run` gets.
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_BACKEND", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert out.strip() == "notifications.backends.ConsoleAndFileBackend"
