"""Initials avatars: what a trainer's card shows until they upload a photo.

An SVG data URI (the pages' Content-Security-Policy allows data: images), so a directory of a
hundred cards costs no request and no query per card. The colour comes from the trainer's id, so
it stays the same across pages and renames; every colour keeps white initials at a contrast of
at least 4.5:1 (WCAG AA for text).
"""

import hashlib
from urllib.parse import quote
from xml.sax.saxutils import escape

# Tailwind's 700 shades (and violet 600): white on each is above 4.5:1.
PALETTE = (
    "#1d4ed8",
    "#047857",
    "#b91c1c",
    "#7c3aed",
    "#c2410c",
    "#0f766e",
    "#be185d",
    "#4338ca",
)


def initials(first_name: str, last_name: str, fallback: str = "") -> str:
    """ "Ada", "Lovelace" -> "AL"; a first name only -> "A"; no name -> the fallback's first."""
    letters = [name.strip()[0] for name in (first_name, last_name) if name and name.strip()]
    if not letters and fallback:
        letters = [fallback.strip()[0]]
    return "".join(letters).upper() or "?"


def avatar_colour(key: int | str) -> str:
    digest = hashlib.sha256(str(key).encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def initials_avatar(profile) -> str:
    """A 96x96 SVG circle with the trainer's initials, as a data URI for an <img src>."""
    user = profile.user
    text = escape(initials(user.first_name, user.last_name, user.email))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<circle cx="48" cy="48" r="48" fill="{avatar_colour(profile.pk)}"/>'
        '<text x="48" y="48" dy=".35em" text-anchor="middle" fill="#ffffff" '
        "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" "
        f'font-size="38" font-weight="600">{text}</text></svg>'
    )
    return "data:image/svg+xml;charset=utf-8," + quote(svg, safe="")
