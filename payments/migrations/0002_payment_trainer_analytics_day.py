# Hand-written: makemigrations cannot serialize datetime.UTC (the index's tzinfo), and the
# trainer copy needs a data step between adding the column and making it NOT NULL.

import datetime

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_trainer_from_booking(apps, schema_editor):
    """One UPDATE with a subquery: each existing payment gets its booking's trainer."""
    Payment = apps.get_model("payments", "Payment")
    Booking = apps.get_model("bookings", "Booking")
    Payment.objects.using(schema_editor.connection.alias).filter(trainer__isnull=True).update(
        trainer_id=Subquery(Booking.objects.filter(pk=OuterRef("booking_id")).values("trainer_id"))
    )
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign key is checked at commit (DEFERRABLE INITIALLY DEFERRED); PostgreSQL
        # refuses the ALTER TABLE that follows while those checks are pending, so run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("payments", "0001_initial"),
        ("trainers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="trainer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="trainers.trainerprofile",
            ),
        ),
        migrations.RunPython(copy_trainer_from_booking, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="payment",
            name="trainer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="trainers.trainerprofile",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                django.db.models.functions.datetime.TruncDay("created_at", tzinfo=datetime.UTC),
                name="payment_analytics_day",
            ),
        ),
    ]
