"""A project with its 情報化事業シート: made together, deleted together.

plans.structure does the plan side; these functions add or remove the sheet in
the same transaction, so that no project is ever without its sheet.
"""

from django.db import transaction

from plans import structure
from plans.models import PlanItem, Project
from projects.services import ensure_sheet


@transaction.atomic
def add_project(item: PlanItem, **fields) -> Project:
    """A project under `item` (its home), with its empty sheet (a schedule row per
    plan year). Raises structure.StructureError with a Japanese message."""
    project = structure.create_project(item, **fields)
    ensure_sheet(project)
    return project


def deletion_refusal(project: Project) -> str | None:
    """Why the project may not be deleted (None if it may): its sheet carries
    results or work that deleting would lose."""
    from projects.models import ProjectSheet

    sheet = ProjectSheet.objects.filter(project=project).first()
    if sheet is None:
        return None
    # governance.AnnualReport protects the sheet; asked by name so that this app
    # does not import governance (dependencies point one way).
    if sheet.reports.exists():
        return (f"事業「{project.name}」({project.code})には実績報告があるため削除できません。"
                "計画から外す場合は、事業名や掲載先を変更してください。")
    if sheet.version > 1 or sheet.indicators.exists():
        return (f"事業「{project.name}」({project.code})の情報化事業シートは担当課が入力済みのため"
                f"(第{sheet.version}版{'、活動指標あり' if sheet.indicators.exists() else ''})、削除できません。"
                "入力内容を失わないよう、事業名や掲載先の変更で対応してください。")
    return None


@transaction.atomic
def delete_project(project: Project) -> None:
    """Delete a project that nobody has worked on yet: its listings and its empty sheet."""
    refusal = deletion_refusal(project)
    if refusal:
        raise structure.StructureError(refusal)
    for placement in project.placements.filter(is_home=False).select_related("item__plan"):
        structure.unplace_project(placement)
    home = project.placements.select_related("item").get(is_home=True)
    project.delete()  # the home listing and the sheet (with its schedule rows) go with it
    # The listings left under the home item are numbered 1..n again: moving the first
    # to where it stands is the structure service's way to do that.
    first = home.item.placements.select_related("project__plan", "item__plan").order_by("position").first()
    if first is not None:
        structure.move_placement(first, position=1)
