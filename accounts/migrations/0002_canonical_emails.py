from django.db import migrations

from accounts.models import canonical_email


def canonicalise(apps, schema_editor):
    """Logins now match the canonical spelling exactly; rewrite stored ones that differ (an
    address only lower-cased before, e.g. with a "ß"). Two accounts that fold to one address
    stop the migration with an IntegrityError for an admin to settle, never a silent merge."""
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "email").iterator():
        email = canonical_email(user.email)
        if email != user.email:
            User.objects.filter(pk=user.pk).update(email=email)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
