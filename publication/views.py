"""The public pages under /open/: a separate, read-only door onto published data
(publication.querysets). No login, GET and HEAD only, the same for every visitor
(nothing here reads the user), so a proxy may keep them for five minutes; the ETag
(a hash of the page: always right, whatever the page shows) lets it revalidate
cheaply and saves the transfer, though not the rendering."""

import io
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import conditional_page, require_safe

from core import stamps
from governance.succession.lineage import lineage
from plans import tree
from publication import querysets, results
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
    stamp = stamps.current("plans", "work")  # before any data (core.stamps)
    plan = _plan(plan)
    return render(request, "publication/plan_tree.html", {
        "plan": plan,
        "stamp": stamp,
        "levels": plan.level_list,
        # Built only when the cached tree is missing.
        "items": SimpleLazyObject(lambda: tree.build(plan, limit=None)),
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


SEARCH_LIMIT = 100


@public_page
def search(request):
    """Projects of the published plans whose name or code contains the words asked for
    (each word, in any order), newest plan first."""
    words = request.GET.get("q", "").split()[:5]
    projects = []
    if words:
        found = querysets.public_project_list().select_related("plan")
        for word in words:
            found = found.filter(Q(name__icontains=word) | Q(code__icontains=word))
        projects = list(found.order_by("-plan__start_year", "code")[:SEARCH_LIMIT + 1])
    return render(request, "publication/search.html", {
        "q": " ".join(words), "projects": projects[:SEARCH_LIMIT], "more": len(projects) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT})


def _cycle(plan, kind, year):
    return get_object_or_404(querysets.published_cycles().select_related("plan", "publication"),
                             plan=plan, kind=kind, fiscal_year=year)


def _results_context(plan, kind, year):
    plan = _plan(plan)
    cycle = _cycle(plan, kind, year)
    return {"plan": plan, "cycle": cycle, **results.figures(cycle)}


@public_page
def cycle_results(request, plan, kind, year):
    """A published cycle's results: the summary tables (表4-2〜4-4) and the chart of
    進捗度, and each project's published 実施状況・進捗度・今後の方向性・判断."""
    return render(request, "publication/cycle_results.html", _results_context(plan, kind, year))


@public_page
def cycle_results_pdf(request, plan, kind, year):
    """The same page on A4 (the yearly report as citizens may read it)."""
    context = _results_context(plan, kind, year)
    data = results.pdf(context)
    name = f"results-{context['plan'].code}-{kind}-{year}.pdf"
    return FileResponse(io.BytesIO(data), content_type="application/pdf", filename=name)


@public_page
def plan_book_pdf(request, plan):
    """The published plan's book (the plan's own text and the parts the data draws)."""
    plan = _plan(plan)
    return FileResponse(io.BytesIO(results.plan_book(plan)), content_type="application/pdf",
                        filename=f"plan-{plan.code}.pdf")
