"""The trainer's reviews, with their one reply to each, and their private calendar feed."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reviews.selectors import review_list_for_trainer, reviews_visible, trainer_rating
from reviews.services import review_reply
from trainers.services import trainer_calendar_feed_rotate
from web.errors import PAGE_ERRORS, page_error
from web.trainer_forms import ReplyForm
from web.views.trainer_area import trainer_required

REVIEWS_PER_PAGE = 20


def _reply_form(review_pk, data=None) -> ReplyForm:
    # One form per review on the page: each needs its own ids.
    return ReplyForm(data, auto_id=f"id_review{review_pk}_%s")


def _reviews_page(request, profile, *, failed: ReplyForm | None = None, review_pk=None, status=200):
    reviews = review_list_for_trainer(profile).select_related("booking")
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    for review in page:
        if not review.replied_at:
            review.reply_form = failed if review.pk == review_pk else _reply_form(review.pk)
    totals = reviews.aggregate(review_count=Count("id"), rating_sum=Sum("rating"))
    return render(
        request,
        "web/trainer_reviews.html",
        {
            "profile": profile,
            "page": page,
            "review_count": totals["review_count"],
            "rating": trainer_rating(
                review_count=totals["review_count"], rating_sum=totals["rating_sum"] or 0
            ),
        },
        status=status,
    )


@trainer_required
def trainer_reviews(request, profile):
    return _reviews_page(request, profile)


@require_POST
@trainer_required
def trainer_review_reply(request, profile, pk):
    # Another trainer's review, or one staff hid, does not exist here.
    review = get_object_or_404(reviews_visible().select_related("trainer"), pk=pk, trainer=profile)
    form = _reply_form(review.pk, request.POST)
    if not form.is_valid():
        return _reviews_page(request, profile, failed=form, review_pk=review.pk, status=400)
    try:
        review_reply(review=review, trainer_user=request.user, reply=form.cleaned_data["reply"])
    except PAGE_ERRORS as e:  # replied already, in another tab
        message, status = page_error(e)
        messages.error(request, message)
        return _reviews_page(request, profile, status=status)
    messages.success(request, "Your reply is published.")
    return redirect(f"{reverse('web:trainer_reviews')}#review-{review.pk}")


def _feed_url(request, profile):
    if not profile.calendar_token:
        return None
    path = reverse("trainer-calendar-feed", args=[profile.calendar_token])
    return request.build_absolute_uri(path)


@trainer_required
def trainer_calendar(request, profile):
    if request.method == "POST":
        had_one = bool(profile.calendar_token)
        trainer_calendar_feed_rotate(profile=profile)
        messages.success(
            request,
            "Your new calendar link is ready; the old one no longer works."
            if had_one
            else "Your calendar link is ready.",
        )
        return redirect("web:trainer_calendar")
    return render(
        request,
        "web/trainer_calendar.html",
        {"profile": profile, "feed_url": _feed_url(request, profile)},
    )
