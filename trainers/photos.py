"""Trainer photos: an upload is checked, cropped square, resized and re-encoded before it is kept.

Only the decoded pixels survive: the stored file is a new JPEG written by Pillow, so nothing of
the upload's own bytes reaches other visitors (no EXIF with the GPS position or the camera's
serial number, no script or archive appended after the image data, no odd colour profile). The
dimensions are read from the header and checked before any pixel is decoded, so a small file
that claims to be a 50,000 x 50,000 image is refused without being unpacked.
"""

from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MIN_SIDE = 200  # pixels; a smaller picture looks blurred on a card
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
OUTPUT_SIDE = 512
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
JPEG_QUALITY = 85


class PhotoError(ValueError):
    """A photo we refuse; the message is safe to show to the person who uploaded it."""


def photo_prepare(upload) -> ContentFile:
    """The stored form of an uploaded photo: a 512 x 512 JPEG, centre-cropped, without metadata.

    `upload`: a Django UploadedFile (or any file object with `size`). Raises PhotoError.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise PhotoError(f"The photo is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    formats = ", ".join(ACCEPTED_FORMATS.values())
    try:
        with Image.open(upload, formats=list(ACCEPTED_FORMATS)) as image:
            _check_size(*image.size)
            image.seek(0)  # an animated WebP keeps its first frame
            image.load()
            # The camera's orientation lives in the EXIF we are about to drop: apply it first.
            picture = _to_rgb(ImageOps.exif_transpose(image))
    except PhotoError:
        raise
    except (Image.UnidentifiedImageError, Image.DecompressionBombError):
        raise PhotoError(f"The file is not a photo we can read (use {formats}).") from None
    except (OSError, SyntaxError, ValueError, EOFError):  # truncated or corrupt image data
        raise PhotoError("The photo's file is damaged; please export it again.") from None
    square = ImageOps.fit(picture, (OUTPUT_SIDE, OUTPUT_SIDE), Image.Resampling.LANCZOS)
    out = BytesIO()
    square.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(out.getvalue())


def _check_size(width: int, height: int) -> None:
    if min(width, height) < MIN_SIDE:
        raise PhotoError(f"The photo must be at least {MIN_SIDE} x {MIN_SIDE} pixels.")
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise PhotoError(f"The photo must be at most {MAX_SIDE} pixels on its longest side.")


def _to_rgb(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent pixels become white, as on the page behind them."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
