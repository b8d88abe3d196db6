"""The trainer's payouts: their connected Stripe account (onboarding, what Stripe still needs,
the Express Dashboard), what they are owed, and their transfers, to come and sent."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from payments.commands.accounts import (
    payout_account_sync,
    payout_dashboard_url,
    payout_onboarding_url,
)
from payments.payouts_api import onboarding_urls
from payments.selectors import payout_account_status, trainer_payouts
from web.errors import PAGE_ERRORS, page_error
from web.views.trainer_area import trainer_required


@trainer_required
def trainer_payouts_page(request, profile):
    return render(
        request,
        "web/trainer_payouts.html",
        {
            "profile": profile,
            "status": payout_account_status(profile),
            "payouts": trainer_payouts(profile),
        },
    )


@trainer_required
def trainer_payouts_onboarding(request, profile):
    """To Stripe's onboarding. Also Stripe's refresh URL (a GET): a link that expired or was
    used already is replaced by a fresh one."""
    try:
        url = payout_onboarding_url(profile, **onboarding_urls(request))
    except PAGE_ERRORS as exc:
        messages.error(request, page_error(exc)[0])
        return redirect("web:trainer_payouts")
    return redirect(url)


@trainer_required
def trainer_payouts_return(request, profile):
    """Stripe's return URL: the trainer left onboarding (finished or not). Their account's state
    is read now, so the page shows it without waiting for account.updated."""
    profile = payout_account_sync(profile)
    if profile.payouts_enabled:
        messages.success(request, "Your payouts are set up: clients can book you.")
    elif profile.payout_requirements:
        messages.info(request, "Stripe still needs a few details before it can pay you.")
    return redirect("web:trainer_payouts")


@require_POST
@trainer_required
def trainer_payouts_dashboard(request, profile):
    try:
        return redirect(payout_dashboard_url(profile))
    except PAGE_ERRORS as exc:
        messages.error(request, page_error(exc)[0])
        return redirect("web:trainer_payouts")
