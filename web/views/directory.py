"""The home page and the trainer directory: cards with a face, rating, price and next free time."""

from django.core.paginator import Paginator
from django.shortcuts import render

from trainers.selectors import trainer_directory, trainer_list, trainers_attach_next_free
from web.client_forms import DirectoryForm
from web.viewer import viewer_zone

PAGE_SIZE = 24
FEATURED = 3


def home(request):
    featured = trainers_attach_next_free(trainer_list(sort="rating")[:FEATURED])
    return render(
        request,
        "web/home.html",
        {"featured": featured, "form": DirectoryForm(), "viewer_zone": viewer_zone(request)},
    )


def trainer_directory_view(request):
    form = DirectoryForm(request.GET or None)
    status = 200
    filters: dict = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "specialty": data["specialty"] or None,
                "min_rate": data["min_rate"],
                "max_rate": data["max_rate"],
                "q": data["q"] or None,
                "day": data["day"],
                "sort": data["sort"] or None,
            }
        else:
            status = 400
    trainers = trainer_directory(**filters) if status == 200 else trainer_list().none()
    page = Paginator(trainers, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = list(page.object_list)
    if cards and not hasattr(cards[0], "next_available"):
        trainers_attach_next_free(cards)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/trainer_list.html",
        {
            "form": form,
            "page": page,
            "trainers": cards,
            "query": query.urlencode(),
            "viewer_zone": viewer_zone(request),
        },
        status=status,
    )
