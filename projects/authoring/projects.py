"""A project with its 情報化事業シート: made together, deleted together.

plans.structure does the plan side; these functions add or remove the sheet in
the same transaction, so that no project is ever without its sheet.
"""

from django.db import transaction

from accounts.roles import Role
from plans import structure
from plans.models import PlanItem, Project
from projects.models import ProjectSheet, SheetStatus
from projects.revisions import Via
from projects.services import ensure_sheet


@transaction.atomic
def add_project(item: PlanItem, **fields) -> Project:
    """A project under `item` (its home), with its empty sheet (a schedule row per
    plan year). Raises structure.StructureError with a Japanese message."""
    project = structure.create_project(item, **fields)
    ensure_sheet(project)
    return project


# What a department writes in its sheet (情報推進課 setting the 課 is not among them).
SHEET_TEXTS = ("legal_basis", "policy_major", "policy_middle", "target", "objective", "activities")


def sheet_entries(sheet) -> list[str]:
    """What has been entered in a sheet beyond what it was made with, in words
    (「指標 2 件」「スケジュール 3 年度」…); empty for a sheet as made, or one where
    情報推進課 only chose the 担当部署."""
    entries = []
    indicators = sheet.indicators.count()
    if indicators:
        entries.append(f"指標 {indicators} 件")
    texts = [sheet._meta.get_field(name).verbose_name for name in SHEET_TEXTS if getattr(sheet, name).strip()]
    if texts:
        entries.append("・".join(texts))
    if sheet.master_plan_code_id:
        entries.append(sheet._meta.get_field("master_plan_code").verbose_name)
    if sheet.end_year or (sheet.start_year and sheet.start_year != sheet.project.since_year):
        entries.append("事業期間")
    years = sheet.schedule.exclude(planned="", actual="").count()
    if years:
        entries.append(f"スケジュール {years} 年度分")
    if sheet.status != SheetStatus.DRAFT:
        entries.append(f"状態「{sheet.get_status_display()}」")
    saves = (sheet.history.filter(history_type="~", history_user__isnull=False)
             .exclude(history_user__groups__name=Role.ICT_OFFICE.value).count())
    if saves:
        entries.append(f"担当課による保存 {saves} 回")
    return entries


def deletion_refusal(project: Project) -> str | None:
    """Why the project may not be deleted (None if it may): its sheet carries
    results or entries that deleting would lose."""
    sheet = ProjectSheet.objects.select_related("project").filter(project=project).first()
    if sheet is None:
        return None
    # governance.AnnualReport protects the sheet; asked by name so that this app
    # does not import governance (dependencies point one way).
    if sheet.reports.exists():
        return (f"事業「{project.name}」({project.code})には実績報告があるため削除できません。"
                "計画から外す場合は、事業名や掲載先を変更してください。")
    entries = sheet_entries(sheet)
    if entries:
        return (f"事業「{project.name}」({project.code})の情報化事業シートに入力があるため削除できません"
                f"({'、'.join(entries)})。入力内容を失わないよう、事業名や掲載先の変更で対応してください。")
    return None


@transaction.atomic
def delete_project(project: Project) -> None:
    """Delete a project that nobody has worked on yet: its listings and its empty sheet."""
    refusal = deletion_refusal(project)
    if refusal:
        raise structure.StructureError(refusal)
    _delete(project)


def worked_on_since_carried(sheet) -> bool:
    """Whether anyone saved the sheet of a carried project after it was carried
    (its rows as carried are the previous plan's, kept there)."""
    return sheet.history.filter(history_type="~").exclude(history_change_reason=Via.SUCCESSION).exists()


@transaction.atomic
def delete_carried_project(project: Project) -> None:
    """Take back a project carried from the previous plan (its fate was changed before
    the plan was adopted): refused once its sheet has reports or was saved since."""
    sheet = ProjectSheet.objects.filter(project=project).first()
    if sheet is not None and (sheet.reports.exists() or worked_on_since_carried(sheet)):
        raise structure.StructureError(
            f"次期計画の事業「{project.name}」({project.code})は引継ぎ後に情報化事業シートが編集されているため、"
            "引継ぎ区分を変えられません。")
    _delete(project)


def _delete(project: Project) -> None:
    for placement in project.placements.filter(is_home=False).select_related("item__plan"):
        structure.unplace_project(placement)
    home = project.placements.select_related("item").get(is_home=True)
    project.delete()  # the home listing and the sheet (with its schedule rows) go with it
    structure.close_gaps(home.item)
