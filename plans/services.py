"""Writes for the plan hierarchy."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from plans.models import Goal, MasterPlanCode, Measure, Placement, Plan, Policy, Project

PLAN_FILES_DIR = Path(settings.BASE_DIR) / "fixtures" / "plans"
# Loaded in this order, so that the latest plan is created last.
PLAN_FILES = ["first.toml", "second.toml"]


def project_code(*, goal: int, policy: int, measure: int, serial: int) -> str:
    """The 事業コード rule: the home measure's numbers and the project's serial there.

    project_code(goal=2, policy=3, measure=1, serial=4) == "2-3-1-04"
    """
    return f"{goal}-{policy}-{measure}-{serial:02d}"


@transaction.atomic
def load_plan(*, path: Path) -> Plan | None:
    """Create the plan of a seed file with its whole hierarchy.

    Does nothing (returns None) when a plan with the file's code exists: what
    users changed since is never overwritten.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if Plan.objects.filter(code=data["code"]).exists():
        return None
    if data.get("is_current"):
        Plan.objects.filter(is_current=True).update(is_current=False)
    plan = Plan(
        **{key: value for key, value in data.items() if key != "goals"},
    )
    plan.full_clean()
    plan.save()

    measures_by_path = {}
    home_entries = []  # (measure, position, entry) for projects printed without (再掲)
    repost_entries = []
    for goal_data in data.get("goals", []):
        goal = Goal.objects.create(
            plan=plan, **{k: v for k, v in goal_data.items() if k != "policies"}
        )
        for policy_data in goal_data["policies"]:
            policy = Policy.objects.create(
                goal=goal, number=policy_data["number"], title=policy_data["title"]
            )
            for measure_data in policy_data["measures"]:
                measure = Measure.objects.create(
                    policy=policy,
                    number=measure_data["number"],
                    title=measure_data["title"],
                    description=measure_data.get("description", ""),
                    reposted_from=measures_by_path.get(measure_data.get("reposted_from")),
                )
                if measure_data.get("reposted_from") and measure.reposted_from is None:
                    raise ValueError(f"再掲元の施策 {measure_data['reposted_from']} が見つかりません。")
                measures_by_path[measure.path] = measure
                for position, entry in enumerate(measure_data.get("projects", []), start=1):
                    target = repost_entries if entry.get("repost") else home_entries
                    target.append((measure, position, entry))

    projects_by_name = {}
    serials = {}
    for measure, position, entry in home_entries:
        serial = serials[measure.pk] = serials.get(measure.pk, 0) + 1
        project = Project(
            plan=plan,
            code=project_code(
                goal=measure.policy.goal.number,
                policy=measure.policy.number,
                measure=measure.number,
                serial=serial,
            ),
            name=entry["name"],
            is_planned=entry.get("planned", False),
            since_year=entry.get("since"),
            security_kind=entry.get("kind", ""),
        )
        project.full_clean()
        project.save()
        projects_by_name[project.name] = project
        Placement.objects.create(project=project, measure=measure, position=position, is_home=True)
    for measure, position, entry in repost_entries:
        Placement.objects.create(
            project=projects_by_name[entry["name"]], measure=measure, position=position, is_home=False
        )
    return plan


def load_seed_plans() -> list[Plan]:
    """Load every seed plan that is not in the database yet."""
    loaded = [load_plan(path=PLAN_FILES_DIR / name) for name in PLAN_FILES]
    return [plan for plan in loaded if plan is not None]


# The city's 第五次総合基本計画 code list is kept by 情報推進課 (admin); the seed
# plan does not print it. These few entries exist only for demonstrations and
# say so in their names.
DEMO_MASTER_PLAN_CODES = [
    ("DEMO-1-1", "(デモ用)市民サービスの向上"),
    ("DEMO-2-1", "(デモ用)効率的な行財政運営"),
    ("DEMO-3-1", "(デモ用)安全・安心なまちづくり"),
    ("DEMO-4-1", "(デモ用)生涯学習と学校教育の充実"),
]


def load_demo_master_plan_codes() -> int:
    created = 0
    for code, title in DEMO_MASTER_PLAN_CODES:
        created += MasterPlanCode.objects.get_or_create(code=code, defaults={"title": title})[1]
    return created
