"""The migration to the fixed list maps free-text specialties and keeps what it cannot map."""

import importlib

import pytest
from django.apps import apps

from core.tests.factories import TrainerProfileFactory
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db

migration = importlib.import_module("trainers.migrations.0003_specialties_from_the_list")


def migrated(specialties, bio="Coach.") -> TrainerProfile:
    profile = TrainerProfileFactory(bio=bio)
    TrainerProfile.objects.filter(pk=profile.pk).update(specialties=specialties)
    migration.forwards(apps, None)
    profile.refresh_from_db()
    return profile


def test_it_maps_spellings_and_synonyms_to_the_list():
    profile = migrated(["Strength", "power yoga", "Weight_Loss", "HIIT", "strength training"])
    assert profile.specialties == ["strength", "yoga", "weight-loss", "hiit"]
    assert profile.bio == "Coach."


def test_it_keeps_unknown_tags_in_the_bio():
    profile = migrated(["yoga", "Aqua aerobics", "  "], bio="Calm flows.")
    assert profile.specialties == ["yoga"]
    assert profile.bio == "Calm flows.\n\nAlso: Aqua aerobics"
    assert migrated(["Aqua aerobics"], bio="").bio == "Also: Aqua aerobics"


def test_it_leaves_profiles_already_on_the_list_unchanged():
    profile = migrated(["yoga", "pilates"])
    assert profile.specialties == ["yoga", "pilates"]
    assert profile.bio == "Coach."
    profile.full_clean()
