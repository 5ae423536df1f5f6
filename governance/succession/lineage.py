"""A project's story across plans (系譜): the projects it continues (back to the
first plan that has it) and those that carry it on, each with its yearly reviews
and what became of it. A fixed number of queries per plan generation."""

from dataclasses import dataclass, field

from django.db.models import F

from governance.models import AnnualReport
from governance.survey import REPORTED
from plans.models import CARRIED_FATES, Project, Succession

# Plans hand over one to the next; a chain longer than this is a data error, not history.
MAX_GENERATIONS = 20


@dataclass
class Entry:
    """One project of the lineage, in its plan."""

    project: Project
    reports: list = field(default_factory=list)
    succession: Succession | None = None
    successors: list = field(default_factory=list)
    sources: list = field(default_factory=list)  # (Succession of a project it carries on)
    is_subject: bool = False

    @property
    def ended(self) -> bool:
        return self.succession is not None and self.succession.fate not in CARRIED_FATES

    @property
    def fate_text(self) -> str:
        """「継続:第三期… 1-1-1-01 …」, 「統合:…」, 「完了」; empty while not recorded."""
        succession = self.succession
        if succession is None:
            return ""
        label = succession.get_fate_display()
        if succession.fate in CARRIED_FATES and self.successors:
            return f"{label}:" + "、".join(f"{p.plan.name} {p.code} {p.name}" for p in self.successors)
        return label


@dataclass
class Stage:
    plan: object
    entries: list


def _walk(start: int, step) -> set[int]:
    seen, frontier = {start}, [start]
    for _ in range(MAX_GENERATIONS):
        frontier = [pk for pk in set(step(frontier)) if pk not in seen]
        if not frontier:
            break
        seen.update(frontier)
    return seen - {start}


def lineage(project: Project, *, plans=None, reports=None) -> list[Stage]:
    """The stages of the project's story, oldest plan first; one stage when the
    project has neither predecessor nor successor.

    `plans` and `reports` (querysets) restrict the story to what they hold: the public
    pages pass the published plans and reports, so that a plan in preparation, its
    projects and an unpublished cycle never show (publication.querysets)."""
    kept = None if plans is None else set(plans.values_list("pk", flat=True))
    earlier = _walk(project.pk, lambda pks: Succession.objects.filter(successors__in=pks)
                    .filter(**({} if kept is None else {"project__plan__in": kept}))
                    .values_list("project_id", flat=True))
    later = _walk(project.pk, lambda pks: Project.objects.filter(predecessor_links__project_id__in=pks)
                  .filter(**({} if kept is None else {"plan__in": kept}))
                  .values_list("pk", flat=True))
    ids = {project.pk} | earlier | later
    projects = (Project.objects.filter(pk__in=ids).select_related("plan", "succession")
                .prefetch_related("succession__successors__plan", "predecessor_links__project__plan"))
    entries = {p.pk: Entry(project=p, is_subject=p.pk == project.pk) for p in projects}
    for entry in entries.values():
        p = entry.project
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        entry.succession = getattr(p, "succession", None)
        if entry.succession is not None and kept is not None and entry.succession.next_plan_id not in kept:
            entry.succession = None  # what became of it belongs to a plan not shown
        entry.successors = list(entry.succession.successors.all()) if entry.succession else []
        sources = [s for s in p.predecessor_links.all() if kept is None or s.project.plan_id in kept]
        entry.sources = sorted(sources, key=lambda s: s.project.code)
    reports = (AnnualReport.objects.filter(state__in=REPORTED) if reports is None else reports)
    reports = (reports.filter(sheet__project_id__in=ids)
               .annotate(project_id=F("sheet__project_id")).select_related("cycle__plan")
               .order_by("cycle__fiscal_year", "cycle__kind"))
    for report in reports:
        entries[report.project_id].reports.append(report)
    return _stages(entries)


def _stages(entries: dict) -> list[Stage]:
    by_plan = {}
    for entry in sorted(entries.values(), key=lambda e: (e.project.plan.start_year, e.project.code)):
        by_plan.setdefault(entry.project.plan_id, Stage(entry.project.plan, [])).entries.append(entry)
    return list(by_plan.values())

