"""「計画の選択」: which plan a page is about.

A page that shows one plan's data reads `?plan=<code>` among the plans the user may
see (Plan.objects.visible_to) and otherwise shows the current plan. A code that is
unknown, or names a plan in preparation to someone who may not see it, is a 404,
like a wrong URL (never a silent switch to another plan). The visible plans are
read once: resolving the choice and offering it cost one query however many plans
there are.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404

from plans.models import Plan


@dataclass(frozen=True)
class PlanChoice:
    plan: Plan | None  # the plan the page shows: the chosen one, else the current one
    plans: list[Plan]  # every plan the user may see, newest first

    @property
    def shown(self) -> bool:
        """Offer a choice only when there is one to make."""
        return len(self.plans) > 1

    @property
    def options(self) -> list[tuple[str, str, bool]]:
        """(code, label, selected) of each plan: 「name(period)」, [現行] or [策定中],
        and the code when another visible plan has the same name."""
        names = [plan.name for plan in self.plans]
        return [(plan.code, option_label(plan, same_name=names.count(plan.name) > 1), plan == self.plan)
                for plan in self.plans]

    @property
    def query(self) -> str:
        """`plan=<code>` for the links of the page, so that they stay on this plan."""
        return urlencode({"plan": self.plan.code}) if self.plan else ""


def option_label(plan: Plan, *, same_name=False) -> str:
    # Western years: short, and free of the era question (the second plan writes its last
    # year 平成32年度, the pages name it 令和2年度).
    period = f"{plan.start_year}〜{plan.end_year}年度"
    mark = "[策定中]" if plan.in_preparation else "[現行]" if plan.is_current else ""
    return f"{plan.name}({period}){mark}" + (f"・計画コード {plan.code}" if same_name else "")


def current_of(plans) -> Plan | None:
    """As PlanQuerySet.current, among plans already read: the plan marked current, or
    else the latest adopted one."""
    adopted = [plan for plan in plans if not plan.in_preparation]
    return max(adopted, key=lambda plan: (plan.is_current, plan.start_year), default=None)


def plan_choice(request, param="plan") -> PlanChoice:
    """The plan of `request.GET[param]` among the user's visible plans (404 when there is
    no such plan for this user), else the current plan (None when no plan is adopted)."""
    plans = list(Plan.objects.visible_to(request.user).order_by("-start_year", "code"))
    code = request.GET.get(param, "")
    if code:
        plan = next((plan for plan in plans if plan.code == code), None)
        if plan is None:
            raise Http404("その計画はありません。")
    else:
        plan = current_of(plans)
    return PlanChoice(plan=plan, plans=plans)
