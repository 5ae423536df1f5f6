"""/api/: the read-only resources, the OpenAPI schema and its documentation page need no
login (LoginRequiredMiddleware skips them; the API reads its own Bearer token); the
token page is a staff page like any other."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from publication.api import token_views, views

app_name = "api"


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False


router = Router(trailing_slash=True, use_regex_path=False)
router.register("plans", views.PlanViewSet, basename="plan")
router.register("items", views.ItemViewSet, basename="item")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register("reports", views.ReportViewSet, basename="report")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its start-up script is a separate
    request (?script), so that the page needs no inline script (CSP)."""

    template_name = "publication/api/docs.html"
    title = "API の説明(昭島市 情報化推進計画)"
    url_name = "api:schema"


api_patterns = [
    # /api/ itself: the documentation page, which lists every resource.
    path("", RedirectView.as_view(pattern_name="api:docs"), name="index"),
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
]
for pattern in api_patterns:
    pattern.callback = login_not_required(pattern.callback)
    # DRF exempts its views from CSRF checks; ours keep them, as every view does: a write
    # method never reaches these read-only views without a CSRF token (403 before 405).
    pattern.callback.csrf_exempt = False

urlpatterns = [
    *api_patterns,
    path("tokens/", token_views.token_list, name="token_list"),
    path("tokens/create/", token_views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
