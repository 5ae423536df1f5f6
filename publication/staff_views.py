"""The staff page where 情報推進課 publishes and withdraws plans and cycles' results."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from governance.models import ReviewCycle
from plans.models import Plan
from publication import services
from publication.forms import WithdrawForm
from publication.models import PublicationEvent
from publication.permissions import require_publisher


@require_safe
def publication_list(request):
    require_publisher(request.user)
    undecided = Count("reports", filter=~Q(reports__state__in=services.DECIDED_STATES))
    cycles = (ReviewCycle.objects.select_related("publication")
              .annotate(report_count=Count("reports"), undecided_count=undecided)
              .order_by("-fiscal_year", "kind"))
    plans = (Plan.objects.select_related("publication").order_by("-start_year", "code")
             .prefetch_related(Prefetch("cycles", cycles, to_attr="cycle_list")))
    events = PublicationEvent.objects.select_related("plan", "cycle__plan", "actor")[:50]
    return render(request, "publication/publication_list.html",
                  {"plans": plans, "events": events, "form": WithdrawForm()})


def _act(request, action, **target):
    """Run one service and come back to the list with its message."""
    require_publisher(request.user)
    try:
        action(user=request.user, **target)
    except services.PublicationPermissionError:
        raise
    except services.PublicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "公表しました。" if action in (services.publish_plan, services.publish_cycle)
                         else "公表を取り下げました。")
    return redirect("publication:publication_list")


def _reason(request):
    form = WithdrawForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
def plan_publish(request, plan):
    return _act(request, services.publish_plan, plan=get_object_or_404(Plan, code=plan))


@require_POST
def plan_withdraw(request, plan):
    plan = get_object_or_404(Plan, code=plan)
    return _act(request, services.withdraw_plan, plan=plan, reason=_reason(request))


@require_POST
def cycle_publish(request, pk):
    return _act(request, services.publish_cycle, cycle=get_object_or_404(ReviewCycle, pk=pk))


@require_POST
def cycle_withdraw(request, pk):
    return _act(request, services.withdraw_cycle, cycle=get_object_or_404(ReviewCycle, pk=pk),
                reason=_reason(request))
