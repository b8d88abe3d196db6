"""The profile page's photo: uploaded through trainers.photos (checked, squared, re-encoded),
refused with a clear message next to the field, removed back to the initials avatar."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.tests.factories import ClientFactory, TrainerProfileFactory
from trainers.photos import MAX_UPLOAD_BYTES
from web.tests.test_form_errors import field_errors

pytestmark = pytest.mark.django_db

UPLOAD = "/trainer/profile/photo/"
REMOVE = "/trainer/profile/photo/remove/"


@pytest.fixture
def trainer(client):
    trainer = TrainerProfileFactory()
    client.force_login(trainer.user)
    return trainer


def png(size=(640, 480)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")


def photo_errors(response) -> list[str]:
    return [html.unescape(e) for e in field_errors(response.content.decode()).get("photo", [])]


def test_it_stores_the_upload_as_a_square_jpeg_and_shows_it(client, trainer):
    response = client.post(UPLOAD, {"photo": png()})
    assert response.status_code == 302
    trainer.refresh_from_db()
    with trainer.photo.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert (stored.format, stored.size) == ("JPEG", (512, 512))
    page = client.get("/trainer/profile/").content.decode()
    assert f'src="{trainer.photo.url}"' in page and "Remove photo" in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("notes.jpg", b"these are not pixels", content_type="image/jpeg"),
            "The file is not a photo we can read (use JPEG, PNG, WebP).",
        ),
        (png((150, 900)), "The photo must be at least 200 x 200 pixels."),
        (
            SimpleUploadedFile("huge.jpg", b"\xff" * (MAX_UPLOAD_BYTES + 1)),
            "The photo is larger than 5 MB.",
        ),
        (SimpleUploadedFile("empty.png", b""), "The file is empty."),
        (None, "Choose a photo to upload."),
    ],
)
def test_it_refuses_what_is_not_a_usable_photo(client, trainer, upload, message):
    response = client.post(UPLOAD, {"photo": upload} if upload else {})
    assert response.status_code == 400
    assert photo_errors(response) == [message]
    trainer.refresh_from_db()
    assert not trainer.photo


def test_remove_goes_back_to_the_initials(client, trainer):
    client.post(UPLOAD, {"photo": png()})
    assert client.post(REMOVE).status_code == 302
    trainer.refresh_from_db()
    assert not trainer.photo
    page = client.get("/trainer/profile/").content.decode()
    assert "data:image/svg+xml" in page and "Remove photo" not in page


def test_only_trainers_have_a_photo_here(client):
    client.force_login(ClientFactory())
    assert client.post(UPLOAD, {"photo": png()}).status_code == 404
    assert client.post(REMOVE).status_code == 404
