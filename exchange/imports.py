"""The sheets' part of an import run: the rows the sheet resources found changed
are gathered per sheet and each sheet is saved once, at the end of the run,
through projects.services.save_sheet (validation, the completeness rules, one
version step checked against the 版 the file was exported at, one history entry
marked 「Excel・CSV の取込み」) — the same write path as the edit page and the admin.
"""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.resources import file_version
from projects.models import ProjectSheet
from projects.services import (
    IncompleteSheetError, IndicatorChange, ScheduleChange, SheetChanges, StaleSheetError, UnknownRowError, Via,
    save_sheet,
)


@dataclass
class SheetRefusal:
    sheet_id: int
    code: str
    message: str
    column: str = ""


class SheetImport:
    """Shared by the sheet resources of one run: the versions the sheets had when the
    run began and the changes gathered for each sheet."""

    def __init__(self, *, user, plan):
        self.user, self.plan = user, plan
        self.start_versions = dict(ProjectSheet.objects.in_plan(plan).values_list("pk", "version"))
        self.changes: dict[int, SheetChanges] = {}
        self.codes: dict[int, str] = {}

    def check_version(self, sheet_id, row):
        """Errors for a changed row whose 版 is not the sheet's version at the start."""
        seen = file_version(row)
        if seen is None:
            return {NON_FIELD_ERRORS: ["「版」の列が読めません。テンプレートの「版」の列は変更しないでください。"]}
        current = self.start_versions.get(sheet_id)
        if seen != current:
            return {NON_FIELD_ERRORS: [
                f"このシートは、ファイルを取り出した後に更新されています(取り出した時の版 {seen}、"
                f"現在の版 {current})。この行は取り込めません。最新のファイルを取り出して入力し直してください。"
            ]}
        return {}

    def collect(self, sheet, change):
        """A changed row: the sheet's own fields (a dict), an indicator or a schedule row."""
        changes = self.changes.setdefault(sheet.pk, SheetChanges())
        self.codes[sheet.pk] = sheet.project.code
        if isinstance(change, IndicatorChange):
            changes.indicators.append(change)
        elif isinstance(change, ScheduleChange):
            changes.schedule.append(change)
        else:
            changes.fields.update(change)

    def apply(self) -> list[SheetRefusal]:
        """Save every changed sheet; what was refused (the caller rolls the run back)."""
        refusals = []
        for pk, changes in self.changes.items():
            code = self.codes[pk]
            try:
                save_sheet(sheet=ProjectSheet(pk=pk), seen_version=self.start_versions[pk], changes=changes,
                           user=self.user, via=Via.IMPORT)
            except IncompleteSheetError as error:
                refusals.append(SheetRefusal(pk, code, f"{code} は「完成」のシートですが、取り込むと次の項目が"
                                             "不足します:" + "、".join(error.missing)
                                             + "。状態を「下書き」にするか、不足を入力してください。", "状態"))
            except StaleSheetError:
                refusals.append(SheetRefusal(pk, code, "取り込みの途中で他の利用者がシートを更新しました。"
                                                       "もう一度取り込んでください。"))
            except (ValidationError, UnknownRowError) as error:
                refusals.append(SheetRefusal(pk, code, f"{code}:" + "".join(
                    getattr(error, "messages", [str(error)]))))
        return refusals
