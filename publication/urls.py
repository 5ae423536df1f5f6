"""The public pages (no login): /open/. Addresses name a plan and a project by their
codes, which stay the same however many plans follow."""

from django.urls import include, path, register_converter

from governance.models import CycleKind
from publication import feeds, views
from publication.views import public_page


class CycleKindConverter:
    """annual, midterm or final (governance.models.CycleKind)."""

    regex = "|".join(CycleKind.values)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(CycleKindConverter, "cycle_kind")

app_name = "open"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<slug:plan>/", views.plan_tree, name="plan_tree"),
    path("projects/<slug:plan>/<str:code>/", views.project_detail, name="project_detail"),
    path("search/", views.search, name="search"),
    path("feed.atom", public_page(feeds.ResultsFeed()), name="feed"),
    path("plans/<slug:plan>/book.pdf", views.plan_book_pdf, name="plan_book_pdf"),
    path("plans/<slug:plan>/results/<cycle_kind:kind>/<int:year>/", views.cycle_results, name="cycle_results"),
    path("plans/<slug:plan>/results/<cycle_kind:kind>/<int:year>.pdf", views.cycle_results_pdf,
         name="cycle_results_pdf"),
    path("", include("publication.data_urls")),
]
