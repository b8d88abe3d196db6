import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

from core.money import percentage_of


def fill_net_figures(apps, schema_editor):
    """Existing payments: without refunds each side keeps its share; with refunds, the rule of
    Payment.payout_after_refunds (the platform keeps its fee, or takes it on what was kept)."""
    Payment = apps.get_model("payments", "Payment")
    payments = Payment.objects.using(schema_editor.connection.alias)
    payments.filter(refund_amount=0).update(
        net_platform_fee=F("platform_fee_amount"), net_trainer_payout=F("trainer_payout_amount")
    )
    for payment in payments.exclude(refund_amount=0).iterator():
        retained = max(payment.amount - payment.refund_amount, 0)
        if settings.CANCELLATION_PLATFORM_KEEPS_FEE:
            fee = min(payment.platform_fee_amount, retained)
        else:
            fee = percentage_of(retained, payment.platform_fee_percentage)
        payment.net_platform_fee, payment.net_trainer_payout = fee, retained - fee
        payment.save(update_fields=["net_platform_fee", "net_trainer_payout"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("payments", "0002_payment_trainer_analytics_day"),
        ("trainers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="net_platform_fee",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="payment",
            name="net_trainer_payout",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill_net_figures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "net_platform_fee",
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                models.F("amount"), "-", models.F("refund_amount")
                            ),
                            "-",
                            models.F("net_trainer_payout"),
                        ),
                    )
                ),
                name="payment_net_fee_plus_payout_is_kept",
            ),
        ),
    ]
