"""The public pages under /open/: a separate, read-only door onto published data
(publication.querysets). No login, GET and HEAD only, the same for every visitor
(nothing here reads the user), so a proxy may keep them for five minutes; the ETag
(a hash of the page: always right, whatever the page shows) lets it revalidate
cheaply and saves the transfer, though not the rendering."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import conditional_page, require_safe

from governance.succession.lineage import lineage
from plans import tree
from publication import querysets
from publication.tables import indicator_rows

MAX_AGE = 300  # seconds a browser or proxy may reuse a public page without asking


def public_page(view):
    """No login (LoginRequiredMiddleware skips it), GET/HEAD only (405 otherwise),
    `Cache-Control: public, max-age=300` and an ETag answered with 304."""

    @wraps(view)
    def cacheable(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # A visitor with a session (staff signed in) may have its session cookie renewed on
        # the way out (accounts.middleware): a shared cache must never keep that answer.
        scope = {"private": True} if settings.SESSION_COOKIE_NAME in request.COOKIES else {"public": True}
        patch_cache_control(response, **scope, max_age=MAX_AGE)
        return response

    return login_not_required(require_safe(conditional_page(cacheable)))


def _plan(code):
    return get_object_or_404(querysets.published_plans().select_related("publication"), code=code)


@public_page
def index(request):
    cycles = querysets.published_cycles().select_related("publication").order_by("-fiscal_year", "kind")
    plans = (querysets.published_plans().select_related("publication").order_by("-start_year", "code")
             .prefetch_related(Prefetch("cycles", cycles, to_attr="public_cycles")))
    return render(request, "publication/index.html", {"plans": plans})


@public_page
def plan_tree(request, plan):
    plan = _plan(plan)
    return render(request, "publication/plan_tree.html", {
        "plan": plan,
        "levels": plan.level_list,
        "items": tree.build(plan, limit=None),
        "cycles": querysets.published_cycles().filter(plan=plan).select_related("publication")
        .order_by("-fiscal_year", "kind"),
    })


@public_page
def project_detail(request, plan, code):
    plan = _plan(plan)
    project = get_object_or_404(querysets.public_projects(plan), code=code)
    sheet = querysets.public_sheet(project)
    reports = list(querysets.public_reports(project))
    return render(request, "publication/project_detail.html", {
        "plan": plan,
        "project": project,
        "sheet": sheet,
        "indicators": indicator_rows(plan, sheet, reports) if sheet else [],
        "reports": reports,
        "stages": lineage(project, plans=querysets.published_plans(), reports=querysets.published_reports()),
    })
