from django import template

from ledger.models import Verification

register = template.Library()


@register.simple_tag
def ledger_last_verification() -> Verification | None:
    """The last ledger check (reconciliation's or the command's), for the admin's front page."""
    return Verification.objects.first()
