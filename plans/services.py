"""Writes for the plan hierarchy."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from plans import chapters, structure
from plans.models import MasterPlanCode, Plan

PLAN_FILES_DIR = Path(settings.BASE_DIR) / "fixtures" / "plans"
# Loaded in this order, so that the latest plan is created last.
PLAN_FILES = ["first.toml", "second.toml"]


PLAN_FIELDS = ("code", "name", "start_year", "end_year", "published", "parent_plan", "philosophy",
               "philosophy_subtitle", "philosophy_text", "is_current", "master_plan_label", "stated_project_count", "survey_record", "short_name")


@transaction.atomic
def load_plan(*, path: Path) -> Plan | None:
    """Create the plan of a seed file with its levels and its whole tree.

    Does nothing (returns None) when a plan with the file's code exists: what
    users changed since is never overwritten (only the chapters of the plan's
    book file are added to a plan that has none, plans.chapters.load_book). Writes through plans.structure,
    like every other way of making a plan.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    existing = Plan.objects.filter(code=data["code"]).first()
    if existing is not None:
        if data.get("book"):  # a book file written after the plan was loaded: its chapters, once
            chapters.load_book(existing, path.parent / data["book"])
        return None
    predecessor = None
    if data.get("predecessor"):
        predecessor = Plan.objects.filter(code=data["predecessor"]).first()
    plan = structure.create_plan(
        levels=[structure.LevelSpec(**level) for level in data.get("levels", [])],
        in_preparation=False, predecessor=predecessor,
        **{key: data[key] for key in PLAN_FIELDS if key in data},
    )
    items_by_path = {}
    home_entries = []  # (item, entry) for projects printed without (再掲)
    repost_entries = []

    def add(entries, parent):
        for number, entry in enumerate(entries, start=1):
            if entry.get("number", number) != number:
                raise ValueError(f"{entry['title']}: 番号は 1 から順に付けてください。")
            reposted_from = entry.get("reposted_from")
            if reposted_from and reposted_from not in items_by_path:
                raise ValueError(f"再掲元の項目 {reposted_from} が見つかりません。")
            item = structure.add_item(
                plan, parent=parent, title=entry["title"], subtitle=entry.get("subtitle", ""),
                text=entry.get("text", ""), reposted_from=items_by_path.get(reposted_from),
            )
            items_by_path[item.path] = item
            for project in entry.get("projects", []):
                (repost_entries if project.get("repost") else home_entries).append((item, project))
            add(entry.get("items", []), item)

    add(data.get("items", []), None)
    projects_by_name = {}
    for item, entry in home_entries:
        projects_by_name[entry["name"]] = structure.create_project(
            item, name=entry["name"], is_planned=entry.get("planned", False),
            since_year=entry.get("since"), security_kind=entry.get("kind", ""),
        )
    # Positions as printed: a 再掲 entry sits where the plan lists it among the others.
    for item, entry in repost_entries:
        structure.place_project(projects_by_name[entry["name"]], item)
    _order_as_printed(data.get("items", []), items_by_path, projects_by_name)
    if data.get("book"):
        # The chapters' prose (plans.prose markup); skipped while the file is not written yet.
        chapters.load_book(plan, path.parent / data["book"])
    return plan


def _order_as_printed(entries, items_by_path, projects_by_name, prefix=""):
    """Put each item's listings in the printed order (homes and 再掲 interleaved)."""
    for number, entry in enumerate(entries, start=1):
        path = f"{prefix}{number}"
        item = items_by_path[path]
        for position, project in enumerate(entry.get("projects", []), start=1):
            placement = item.placements.get(project=projects_by_name[project["name"]])
            if placement.position != position:
                structure.move_placement(placement, position=position)
        _order_as_printed(entry.get("items", []), items_by_path, projects_by_name, prefix=f"{path}-")


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
