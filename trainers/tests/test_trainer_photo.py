"""PUT/DELETE /api/v1/trainers/me/photo/: checked, squared, resized, re-encoded, stored."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainers/me/photo/"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_file(
    size=(1200, 800), fmt="JPEG", colour="red", mode="RGB", exif=None, name=None
) -> SimpleUploadedFile:
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(name or f"me.{fmt.lower()}", out.getvalue())


def halves(size=(400, 200), orientation=None) -> SimpleUploadedFile:
    """Left half red, right half blue, with an EXIF orientation tag when given."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("turned.jpg", out.getvalue())


def put(as_user, trainer, upload):
    return as_user(trainer.user).put(URL, {"photo": upload}, format="multipart")


def stored(trainer) -> Image.Image:
    trainer.refresh_from_db()
    with trainer.photo.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


def near(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_it_stores_a_square_jpeg_without_metadata(as_user, trainer):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(GPS_IFD)[2] = (48.0, 51.0, 29.0)  # latitude
    response = put(as_user, trainer, image_file(exif=exif))

    assert response.status_code == 200, response.content
    photo = stored(trainer)
    assert (photo.format, photo.size, photo.mode) == ("JPEG", (512, 512), "RGB")
    assert not photo.getexif()
    assert "exif" not in photo.info
    body = response.json()
    assert body["photo_url"] == f"http://testserver{trainer.photo.url}"
    assert body["avatar_url"] == body["photo_url"]
    assert trainer.photo.name.startswith(f"trainers/photos/{trainer.pk}-")


def test_it_turns_the_photo_the_way_the_camera_said(as_user, trainer):
    # Orientation 6: the picture is shown turned 90 degrees clockwise, so its left half (red)
    # ends up on top.
    assert put(as_user, trainer, halves(orientation=6)).status_code == 200
    photo = stored(trainer)
    assert near(photo.getpixel((256, 40)), (255, 0, 0))
    assert near(photo.getpixel((256, 470)), (0, 0, 255))


def test_it_crops_the_centre_of_a_wide_photo(as_user, trainer):
    assert put(as_user, trainer, halves(size=(900, 300))).status_code == 200
    photo = stored(trainer)
    assert near(photo.getpixel((100, 256)), (255, 0, 0))
    assert near(photo.getpixel((412, 256)), (0, 0, 255))


def test_it_puts_a_transparent_png_on_white(as_user, trainer):
    upload = image_file(size=(300, 300), fmt="PNG", mode="RGBA", colour=(0, 0, 0, 0))
    assert put(as_user, trainer, upload).status_code == 200
    assert near(stored(trainer).getpixel((10, 10)), (255, 255, 255))


def test_it_accepts_webp(as_user, trainer):
    assert put(as_user, trainer, image_file(size=(300, 300), fmt="WEBP")).status_code == 200
    assert stored(trainer).format == "JPEG"


def damaged_jpeg() -> SimpleUploadedFile:
    good = image_file(size=(600, 600)).read()
    return SimpleUploadedFile("cut.jpg", good[: len(good) // 3])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("x.jpg", b"<?php system($_GET['c']); ?>"), "not a photo"),
        (lambda: image_file(size=(300, 300), fmt="GIF", mode="P"), "not a photo"),
        (lambda: image_file(size=(199, 800)), "at least 200 x 200"),
        # 9000 x 200 of one colour is a small file whose pixels would take 5 MB to decode.
        (lambda: image_file(size=(9000, 200), fmt="PNG"), "at most 8000"),
        (damaged_jpeg, "damaged"),
        (lambda: "not a file", "photo"),
    ],
)
def test_it_refuses_what_is_not_a_usable_photo_and_keeps_the_old_one(
    as_user, trainer, upload, message
):
    assert put(as_user, trainer, image_file()).status_code == 200
    trainer.refresh_from_db()
    before = trainer.photo.name

    response = put(as_user, trainer, upload())

    assert response.status_code == 400, response.content
    assert message in response.json()["error"]
    assert "photo" in response.json()["fields"]
    trainer.refresh_from_db()
    assert trainer.photo.name == before
    assert default_storage.exists(before)


def test_it_refuses_a_file_over_the_size_limit(as_user, trainer, monkeypatch):
    monkeypatch.setattr("trainers.photos.MAX_UPLOAD_BYTES", 1024)
    response = put(as_user, trainer, image_file())
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]
    trainer.refresh_from_db()
    assert not trainer.photo


def test_it_answers_400_without_a_photo_field(as_user, trainer):
    response = as_user(trainer.user).put(URL, {}, format="multipart")
    assert response.status_code == 400
    assert "photo" in response.json()["fields"]


def test_a_new_photo_replaces_the_old_file_once_committed(
    as_user, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        put(as_user, trainer, image_file(colour="red"))
    trainer.refresh_from_db()
    first = trainer.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        assert put(as_user, trainer, image_file(colour="blue")).status_code == 200

    trainer.refresh_from_db()
    assert trainer.photo.name != first
    assert default_storage.exists(trainer.photo.name)
    assert not default_storage.exists(first)


def test_delete_goes_back_to_the_initials_avatar(
    as_user, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        put(as_user, trainer, image_file())
    trainer.refresh_from_db()
    name = trainer.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(trainer.user).delete(URL)

    assert response.status_code == 200
    assert response.json()["photo_url"] is None
    assert response.json()["avatar_url"].startswith("data:image/svg+xml")
    assert not default_storage.exists(name)
    trainer.refresh_from_db()
    assert not trainer.photo


def test_it_stores_through_the_configured_storage_backend(as_user, trainer, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert put(as_user, trainer, image_file()).status_code == 200

    trainer.refresh_from_db()
    assert default_storage.exists(trainer.photo.name)
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert not Path(settings.MEDIA_ROOT).exists()


def test_it_is_for_trainers_only(as_user, api, client_user, admin_user):
    for user in (client_user, admin_user):
        response = as_user(user).put(URL, {"photo": image_file()}, format="multipart")
        assert response.status_code == 403
    assert api.put(URL, {"photo": image_file()}, format="multipart").status_code == 401
