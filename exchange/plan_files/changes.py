"""What an import changed in a plan: the plan read before and after (in a fixed
number of queries) and compared, so that the preview lists what the import
really does, codes as they come out, not what the file was thought to mean."""

from dataclasses import dataclass, field

from exchange.plan_files.layout import (
    HAS_TEXT_LABELS,
    NO,
    NUMBERING_LABELS,
    PLAN_FIELDS,
    SECURITY_LABELS,
    YEAR_FIELDS,
    YES,
    plan_label,
    year_text,
)
from plans.models import Placement, Plan, PlanItem, Project


@dataclass(frozen=True)
class Change:
    kind: str  # 「項目の追加」「事業名の変更」…
    target: str  # the code it concerns (after the import, when it still exists)
    before: str = ""
    after: str = ""


@dataclass
class Snapshot:
    fields: dict = field(default_factory=dict)
    levels: dict = field(default_factory=dict)  # depth → 「目標(ローマ数字、説明文あり)」
    items: dict = field(default_factory=dict)  # pk → (code, parent pk, title, subtitle, text, source pk)
    order: list = field(default_factory=list)  # item pks in tree order
    projects: dict = field(default_factory=dict)  # pk → (code, name, planned, since, kind)
    listings: dict = field(default_factory=dict)  # item pk → [(project pk, is_home)] in order


def snapshot(plan: Plan | None) -> Snapshot:
    if plan is None or plan.pk is None:
        return Snapshot()
    shot = Snapshot()
    for name in PLAN_FIELDS:
        value = getattr(plan, name)
        shot.fields[plan_label(name)] = year_text(value, plan) if name in YEAR_FIELDS else (
            "" if value is None else str(value))
    for level in plan.levels.order_by("depth"):
        count = f"、{level.stated_count}" if level.stated_count is not None else ""
        shot.levels[level.depth] = (f"{level.name}({NUMBERING_LABELS[level.numbering]}、"
                                    f"説明文{HAS_TEXT_LABELS[level.has_text]}{count})")
    for item in PlanItem.objects.filter(plan=plan).order_by("sort_key"):
        shot.items[item.pk] = (item.code, item.parent_id, item.title, item.subtitle, item.text, item.reposted_from_id)
        shot.order.append(item.pk)
    for project in Project.objects.filter(plan=plan):
        shot.projects[project.pk] = (project.code, project.name, YES if project.is_planned else NO,
                                     year_text(project.since_year, plan),
                                     SECURITY_LABELS.get(project.security_kind, ""))
    for placement in Placement.objects.filter(item__plan=plan).order_by("item_id", "position"):
        shot.listings.setdefault(placement.item_id, []).append((placement.project_id, placement.is_home))
    return shot


ITEM_TEXTS = ((2, "名称の変更"), (3, "副題の変更"), (4, "説明の変更"))
PROJECT_TEXTS = ((1, "事業名の変更"), (2, "予定事業の変更"), (3, "開始年度の変更"), (4, "セキュリティ対策の種類の変更"))


def compare(before: Snapshot, after: Snapshot) -> list[Change]:
    """Every difference, in the order of the plan: its fields, levels, items, projects."""
    changes = []
    for label, value in after.fields.items():
        if before.fields.get(label, "") != value:
            changes.append(Change("計画の内容", label, before.fields.get(label, ""), value))
    for depth in sorted(before.levels.keys() | after.levels.keys()):
        old, new = before.levels.get(depth, ""), after.levels.get(depth, "")
        if old != new:
            changes.append(Change("階層" + ("の追加" if not old else "の削除" if not new else "の変更"),
                                  f"第{depth}階層", old, new))
    changes += _item_changes(before, after)
    changes += _project_changes(before, after)
    return changes


def _item_changes(before, after):
    def code(shot, pk):
        return shot.items[pk][0] if pk in shot.items else ""

    changes = []
    for pk in after.order:
        new = after.items[pk]
        old = before.items.get(pk)
        if old is None:
            changes.append(Change("項目の追加", new[0], "", new[2]))
            continue
        if old[1] != new[1]:
            changes.append(Change("項目の移動", new[0], f"{old[0]}(上位 {code(before, old[1]) or 'なし'})",
                                  f"{new[0]}(上位 {code(after, new[1]) or 'なし'})"))
        elif old[0] != new[0]:
            changes.append(Change("番号の変更", new[0], old[0], new[0]))
        for index, kind in ITEM_TEXTS:
            if old[index] != new[index]:
                changes.append(Change(kind, new[0], old[index], new[index]))
        if old[5] != new[5]:
            changes.append(Change("再掲元の変更", new[0], code(before, old[5]), code(after, new[5])))
    changes += [Change("項目の削除", before.items[pk][0], before.items[pk][2], "")
                for pk in before.order if pk not in after.items]
    return changes


def _project_changes(before, after):
    def homes_and_reposts(shot):
        homes, reposts = {}, {}
        for item_pk, listed in shot.listings.items():
            for project_pk, is_home in listed:
                if is_home:
                    homes[project_pk] = shot.items[item_pk][0]
                else:
                    reposts.setdefault(project_pk, []).append(shot.items[item_pk][0])
        return homes, reposts

    old_homes, old_reposts = homes_and_reposts(before)
    new_homes, new_reposts = homes_and_reposts(after)
    changes = []
    for pk, new in sorted(after.projects.items(), key=lambda entry: _code_order(entry[1][0])):
        old = before.projects.get(pk)
        if old is None:
            changes.append(Change("事業の追加", new[0], "", f"{new[1]}(掲載 {new_homes.get(pk, '')})"))
        else:
            if old[0] != new[0]:
                changes.append(Change("事業コードの変更", new[0], old[0], new[0]))
            changes += [Change(kind, new[0], old[i], new[i]) for i, kind in PROJECT_TEXTS if old[i] != new[i]]
            if old_homes.get(pk) != new_homes.get(pk):
                changes.append(Change("掲載項目の変更", new[0], old_homes.get(pk, ""), new_homes.get(pk, "")))
        was, now = old_reposts.get(pk, []), new_reposts.get(pk, [])
        changes += [Change("再掲の追加", new[0], "", f"{code}(事業「{new[1]}」)") for code in now if code not in was]
        changes += [Change("再掲の解除", new[0], f"{code}(事業「{new[1]}」)", "") for code in was if code not in now]
    changes += [Change("事業の削除", old[0], old[1], "") for pk, old in before.projects.items()
                if pk not in after.projects]
    changes += _order_changes(before, after)
    return changes


def _order_changes(before, after):
    """Listings whose order changed, among the projects listed there before and after."""
    changes = []
    for item_pk in after.order:
        new = [pk for pk, _ in after.listings.get(item_pk, [])]
        old = [pk for pk, _ in before.listings.get(item_pk, [])]
        common = set(new) & set(old)
        if len(common) > 1 and [pk for pk in old if pk in common] != [pk for pk in new if pk in common]:
            def names(pks):
                return " / ".join(after.projects[pk][1] for pk in pks if pk in common)
            changes.append(Change("掲載順の変更", after.items[item_pk][0], names(old), names(new)))
    return changes


def _code_order(code: str):
    return [int(part) if part.isdecimal() else 0 for part in code.split("-")]
