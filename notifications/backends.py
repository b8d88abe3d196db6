"""The development email backend: every message on the console and in a file under var/mail/."""

import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone


class ConsoleAndFileBackend(ConsoleBackend):
    """Prints each message like Django's console backend and saves it as a .eml file.

    One file per message (EMAIL_FILE_PATH, default var/mail/), named by time and subject, so a
    developer running `make run` can open a receipt in a mail client or a browser.
    """

    _counter_lock = threading.Lock()
    _counter = 0

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        if not email_messages:
            return sent
        self.file_path.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            (self.file_path / self._file_name(message)).write_bytes(message.message().as_bytes())
        return sent

    @classmethod
    def _file_name(cls, message) -> str:
        with cls._counter_lock:
            cls._counter += 1
            counter = cls._counter
        slug = re.sub(r"[^a-z0-9]+", "-", message.subject.lower()).strip("-")[:60]
        return f"{timezone.now():%Y%m%d-%H%M%S-%f}-{counter}-{slug}.eml"
