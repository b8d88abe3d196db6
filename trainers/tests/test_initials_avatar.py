"""Until a trainer uploads a photo, cards show their initials on a colour of their own."""

from urllib.parse import unquote

import pytest

from core.tests.factories import TrainerProfileFactory
from trainers.avatars import PALETTE, initials

pytestmark = pytest.mark.django_db


def svg(profile) -> str:
    prefix = "data:image/svg+xml;charset=utf-8,"
    assert profile.avatar_url.startswith(prefix)
    return unquote(profile.avatar_url[len(prefix) :])


def test_it_shows_the_initials_of_the_name():
    trainer = TrainerProfileFactory(user__first_name="ada", user__last_name="Lovelace")
    assert ">AL</text>" in svg(trainer)


@pytest.mark.parametrize(
    ("first", "last", "email", "expected"),
    [("Kenji", "", "k@x.test", "K"), ("", "", "zoe@x.test", "Z"), (" ", " ", "", "?")],
)
def test_it_falls_back_to_what_there_is(first, last, email, expected):
    assert initials(first, last, email) == expected


def test_it_escapes_the_name():
    trainer = TrainerProfileFactory(user__first_name="<script>", user__last_name="&")
    assert ">&lt;&amp;</text>" in svg(trainer)


def test_it_is_the_same_every_time_and_keeps_its_colour_across_renames():
    trainer = TrainerProfileFactory(user__first_name="Ann", user__last_name="Lee")
    first = svg(trainer)
    trainer.user.first_name = "Bea"
    colour = first.split('fill="')[1].split('"')[0]
    assert svg(trainer) != first
    assert f'fill="{colour}"' in svg(trainer)
    assert svg(trainer) == svg(trainer)


def test_trainers_get_different_colours():
    colours = {svg(t).split('fill="')[1][:7] for t in TrainerProfileFactory.create_batch(12)}
    assert len(colours) > 2


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("colour", PALETTE)
def test_white_initials_are_readable_on_every_colour(colour):
    contrast = (1.0 + 0.05) / (_luminance(colour) + 0.05)
    assert contrast >= 4.5
