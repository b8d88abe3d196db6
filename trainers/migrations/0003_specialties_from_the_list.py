"""Free-text specialties become slugs of the fixed list (trainers.choices.SPECIALTIES).

Each tag is lower-cased, trimmed and its spaces and underscores made hyphens, then looked up in
the list and, failing that, in the aliases below (the list as it stood when this ran is copied
here: a migration must not change meaning when the code's list grows). A tag that matches
neither is dropped from the tags; it stays searchable as it is appended to the bio
("Also: aqua aerobics"), so no trainer loses what they wrote.
"""

import re

from django.db import migrations

SLUGS = {
    "strength", "powerlifting", "bodybuilding", "weight-loss", "hiit", "crossfit",
    "calisthenics", "running", "endurance", "cycling", "swimming", "boxing", "martial-arts",
    "yoga", "pilates", "mobility", "rehabilitation", "pre-postnatal", "seniors", "nutrition",
}  # fmt: skip

ALIASES = {
    "strength-training": "strength",
    "weights": "strength",
    "weight-training": "strength",
    "weightlifting": "strength",
    "resistance-training": "strength",
    "power-lifting": "powerlifting",
    "fat-loss": "weight-loss",
    "weightloss": "weight-loss",
    "hypertrophy": "bodybuilding",
    "interval-training": "hiit",
    "conditioning": "crossfit",
    "marathon": "running",
    "trail-running": "running",
    "cardio": "endurance",
    "triathlon": "endurance",
    "spinning": "cycling",
    "spin": "cycling",
    "kickboxing": "boxing",
    "mma": "martial-arts",
    "muay-thai": "martial-arts",
    "karate": "martial-arts",
    "judo": "martial-arts",
    "vinyasa": "yoga",
    "power-yoga": "yoga",
    "hatha": "yoga",
    "stretching": "mobility",
    "flexibility": "mobility",
    "physio": "rehabilitation",
    "physiotherapy": "rehabilitation",
    "rehab": "rehabilitation",
    "prenatal": "pre-postnatal",
    "postnatal": "pre-postnatal",
    "pregnancy": "pre-postnatal",
    "senior": "seniors",
    "elderly": "seniors",
    "diet": "nutrition",
}


def _slug(tag: str) -> str | None:
    key = re.sub(r"[\s_]+", "-", str(tag).strip().lower())
    if key in SLUGS:
        return key
    return ALIASES.get(key)


def forwards(apps, schema_editor):
    TrainerProfile = apps.get_model("trainers", "TrainerProfile")
    for profile in TrainerProfile.objects.exclude(specialties=[]).iterator():
        tags = profile.specialties if isinstance(profile.specialties, list) else []
        slugs = list(dict.fromkeys(s for s in map(_slug, tags) if s))
        unmatched = [str(t).strip() for t in tags if not _slug(t) and str(t).strip()]
        if slugs == tags and not unmatched:
            continue
        profile.specialties = slugs
        if unmatched:
            also = f"Also: {', '.join(unmatched)}"
            profile.bio = f"{profile.bio.rstrip()}\n\n{also}" if profile.bio.strip() else also
        profile.save(update_fields=["specialties", "bio"])


class Migration(migrations.Migration):
    dependencies = [("trainers", "0002_profile_headline_languages_photo")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
