"""From one plan to the next: drafting, the succession of each project, adoption."""

from datetime import date
from decimal import Decimal

import pytest

from governance.succession import services
from governance.succession.services import Choice, SuccessionError
from plans.models import Fate, Plan, PlanEdit, Project, Succession
from projects.revisions import Via
from projects.services import SheetChanges, save_sheet
from tests.governance.conftest import KOHO, MAIL, TWITTER, VIDEO


def choices_as_prefilled(plan):
    return [Choice(project_id=row.project.pk, fate=row.fate, item_id=row.item_id) for row in services.rows(plan)]


def edit(choices, code, **values):
    project = Project.objects.get(plan__code="second", code=code)
    choice = next(c for c in choices if c.project_id == project.pk)
    for name, value in values.items():
        setattr(choice, name, value)
    return choices


@pytest.mark.django_db
def test_next_plan_is_drafted_from_the_current_one(second, third):
    assert third.in_preparation and third.predecessor == second
    assert [level.name for level in third.level_list] == ["目標", "基本方針", "情報化施策"]
    old = list(second.items.order_by("sort_key").values_list("code", "title", "reposted_from__code"))
    new = list(third.items.order_by("sort_key").values_list("code", "title", "reposted_from__code"))
    assert new == old and len(new) == 32
    assert ("Ⅰ-3-3", "電子行政サービスの拡充", "Ⅰ-2-2") in new  # Ⅰ-3-3 is printed as a 再掲 of Ⅰ-2-2 (p.17)
    assert not third.projects.exists()
    assert third.philosophy == second.philosophy
    # The book's chapters as the draft's text (fixtures/plans/second_book.txt: はじめに and 第1〜4章).
    assert list(third.chapters.order_by("position").values_list("number", "title", "body")) == list(
        second.chapters.order_by("position").values_list("number", "title", "body"))
    assert third.chapters.count() == 5


@pytest.mark.django_db
def test_a_next_plan_cannot_overlap_the_outgoing_one(second, ict):
    with pytest.raises(SuccessionError, match="重なっています"):
        services.draft_next_plan(ict, second, code="third", name="第三期", start_year=2020, end_year=2024)
    assert not Plan.objects.filter(code="third").exists()


@pytest.mark.django_db
def test_fates_are_prefilled_from_the_latest_direction(reviewed, third):
    rows = {row.project.code: row for row in services.rows(third)}
    assert rows[TWITTER].fate == Fate.CONTINUED
    assert rows[MAIL].fate == Fate.CONTINUED and rows[MAIL].source == "第二期計画 最終見直し(平成30年度〜令和元年度)"
    assert rows[VIDEO].fate == Fate.COMPLETED
    assert rows[KOHO].fate == Fate.CONTINUED and rows[KOHO].source == "令和2年度 年次進行管理"
    # No report at all: nothing to go by, 未定 until someone decides.
    assert rows["2-3-1-01"].fate == Fate.UNDECIDED and rows["2-3-1-01"].suggested == ""
    # A carried project defaults to the item at the same place in the drafted tree.
    assert third.items.get(pk=rows[TWITTER].item_id).code == "Ⅰ-1-1"


@pytest.mark.django_db
def test_recording_carries_continued_projects_with_their_sheets(reviewed, third, ict, django_assert_max_num_queries):
    outcome = services.record(ict, third, choices_as_prefilled(third))
    old = Project.objects.get(plan__code="second", code=TWITTER)
    new = old.succession.successors.get()
    assert (new.plan, new.name, new.code) == (third, old.name, "1-1-1-01")
    sheet = new.sheet
    assert sheet.legal_basis == "昭島市情報化推進計画" and sheet.objective == "市の情報を即時に届ける"
    indicator = sheet.indicators.get()
    # The baseline moves to the last actual (FY2020: 1,250); the new years have no targets yet.
    assert (indicator.name, indicator.unit, indicator.baseline_value, indicator.baseline_year) == (
        "フォロワー数", "人", Decimal(1250), 2020)
    assert not indicator.targets.exists()
    assert sorted(sheet.schedule.values_list("fiscal_year", flat=True)) == [2021, 2022, 2023, 2024, 2025]
    assert sheet.history.filter(history_change_reason=Via.SUCCESSION, history_user=ict).exists()
    # The old sheet keeps its targets and history.
    assert reviewed.targets.count() == 5 and reviewed.baseline_value == 300
    # Continued: Twitter, mail, 広報紙; completed video and unreported (未定) projects: nothing new.
    assert {p.name for p in outcome.created} == {old.name, Project.objects.get(plan__code="second", code=MAIL).name,
                                                  Project.objects.get(plan__code="second", code=KOHO).name}
    assert Succession.objects.filter(next_plan=third).count() == 46
    assert PlanEdit.objects.filter(plan=third, summary__startswith="前計画の事業 46 件の引継ぎを記録").exists()
    with django_assert_max_num_queries(12):
        services.rows(third)


@pytest.mark.django_db
def test_merge_split_and_end(reviewed, third, ict):
    choices = choices_as_prefilled(third)
    twitter = Project.objects.get(plan__code="second", code=TWITTER)
    mail = Project.objects.get(plan__code="second", code=MAIL)
    edit(choices, MAIL, fate=Fate.MERGED, merge_into_id=twitter.pk, reason="SNS と一体で運用するため")
    edit(choices, KOHO, fate=Fate.SPLIT, split_names="広報紙の電子配信\nホームページの改修", reason="二つに分けて進める")
    edit(choices, VIDEO, fate=Fate.DISCONTINUED, reason="予算化されなかったため")
    services.record(ict, third, choices)
    carried = twitter.succession.successors.get()
    assert mail.succession.successors.get() == carried
    assert {link.project for link in carried.predecessor_links.all()} == {twitter, mail}
    koho = Project.objects.get(plan__code="second", code=KOHO)
    assert sorted(p.name for p in koho.succession.successors.all()) == ["ホームページの改修", "広報紙の電子配信"]
    video = Project.objects.get(plan__code="second", code=VIDEO)
    assert video.succession.fate == Fate.DISCONTINUED and not video.succession.successors.exists()
    assert not third.projects.filter(name=video.name).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change, message", [
    ({"fate": Fate.MERGED, "reason": "x"}, "統合先の事業を選んでください"),
    ({"fate": Fate.COMPLETED}, "異なる区分にする理由を書いてください"),
    ({"fate": Fate.SPLIT, "split_names": "一つだけ", "reason": "x"}, "2 つ以上"),
])
def test_bad_choices_are_refused_and_nothing_changes(reviewed, third, ict, change, message):
    choices = edit(choices_as_prefilled(third), TWITTER, **change)
    with pytest.raises(SuccessionError) as refused:
        services.record(ict, third, choices)
    assert message in refused.value.errors[Project.objects.get(plan__code="second", code=TWITTER).pk]
    assert not Succession.objects.exists() and not third.projects.exists()


@pytest.mark.django_db
def test_a_project_cannot_merge_into_itself_or_be_carried_into_the_old_plan(reviewed, third, second, ict):
    twitter = Project.objects.get(plan=second, code=TWITTER)
    choices = edit(choices_as_prefilled(third), TWITTER, fate=Fate.MERGED, merge_into_id=twitter.pk, reason="x")
    with pytest.raises(SuccessionError) as refused:
        services.record(ict, third, choices)
    assert "自分自身" in refused.value.errors[twitter.pk]
    old_item = second.items.get(code="Ⅰ-1-1")
    choices = edit(choices_as_prefilled(third), TWITTER, item_id=old_item.pk)
    with pytest.raises(SuccessionError) as refused:
        services.record(ict, third, choices)
    assert "前計画の項目には引き継げません" in refused.value.errors[twitter.pk]
    assert not Succession.objects.exists() and not third.projects.exists()


@pytest.mark.django_db
def test_changing_a_fate_takes_back_the_carried_project_unless_worked_on(reviewed, third, ict):
    services.record(ict, third, choices_as_prefilled(third))
    twitter = Project.objects.get(plan__code="second", code=TWITTER)
    carried = twitter.succession.successors.get()
    services.record(ict, third, edit(choices_as_prefilled(third), TWITTER, fate=Fate.COMPLETED, reason="目的を達成"))
    assert not Project.objects.filter(pk=carried.pk).exists()
    # Carried again, then its sheet is worked on: the fate can no longer be changed.
    services.record(ict, third, edit(choices_as_prefilled(third), TWITTER, fate=Fate.CONTINUED,
                                     item_id=third.items.get(code="Ⅰ-1-1").pk))
    carried = twitter.succession.successors.get()
    save_sheet(sheet=carried.sheet, seen_version=carried.sheet.version,
               changes=SheetChanges(fields={"activities": "新しい取り組み"}), user=ict, via=Via.PAGE)
    with pytest.raises(SuccessionError, match="編集されている"):
        services.record(ict, third, edit(choices_as_prefilled(third), TWITTER, fate=Fate.COMPLETED, reason="x"))
    assert twitter.succession.successors.get() == carried
    twitter.succession.refresh_from_db()
    assert twitter.succession.fate == Fate.CONTINUED


@pytest.mark.django_db
def test_adoption_makes_the_plan_current_in_one_step(reviewed, third, second, ict):
    with pytest.raises(SuccessionError, match="46 件の引継ぎが記録されていません"):
        services.adopt(ict, third, adopted_on=date(2021, 3, 25))
    services.record(ict, third, choices_as_prefilled(third))
    previous = services.adopt(ict, third, adopted_on=date(2021, 3, 25))
    third.refresh_from_db()
    second.refresh_from_db()
    assert previous == second
    assert (third.in_preparation, third.is_current, third.adopted_on) == (False, True, date(2021, 3, 25))
    assert third.published == "令和3年(2021年)3月"
    assert not second.is_current
    assert Plan.objects.current() == third
    # After adoption, a project left 未定 is decided (the final review came later): it appears at once.
    undecided = Project.objects.get(plan=second, code="2-3-1-01")
    assert undecided.succession.fate == Fate.UNDECIDED
    choices = edit(choices_as_prefilled(third), "2-3-1-01", fate=Fate.CONTINUED, reason="最終見直しで継続",
                   item_id=third.items.get(code="Ⅱ-3-1").pk)
    outcome = services.record(ict, third, choices)
    assert [p.name for p in outcome.created] == [undecided.name]
    assert third.projects.filter(name=undecided.name, sheet__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2015, 3, 31), date(2026, 4, 1)])
def test_an_adoption_date_outside_reason_is_refused(reviewed, third, ict, day):
    """The third plan (令和3〜7年度) follows the second (from 2016-04-01): adopted from then
    (the two years before its period: 2019-04-01) to the end of its period (2026-03-31)."""
    services.record(ict, third, choices_as_prefilled(third))
    with pytest.raises(SuccessionError, match="策定日は 2019年4月1日から2026年3月31日まで"):
        services.adopt(ict, third, adopted_on=day)
    third.refresh_from_db()
    assert third.in_preparation and not third.is_current


@pytest.mark.django_db
def test_a_plan_that_was_followed_or_reviewed_cannot_go_back_to_preparation(reviewed, third, second, ict):
    from projects.authoring import dispatch
    from projects.authoring.operations import StructureError

    services.record(ict, third, choices_as_prefilled(third))
    services.adopt(ict, third, adopted_on=date(2021, 3, 25))
    second.refresh_from_db()
    with pytest.raises(StructureError, match="次期計画が引き継いだ計画は策定中に戻せません"):
        dispatch.apply(second, ict, {"op": "edit_plan", "fields": {"in_preparation": True}})
    second.refresh_from_db()
    assert not second.in_preparation


@pytest.mark.django_db
def test_a_plan_overlapping_the_current_one_is_not_adopted(second, ict):
    from plans import structure
    from projects.authoring import dispatch

    plan = dispatch.create_plan(ict, levels=[structure.LevelSpec("施策")], code="overlap", name="重なる計画",
                                start_year=2019, end_year=2023)
    structure.add_item(plan, parent=None, title="施策")
    with pytest.raises(SuccessionError, match="重なっている"):
        services.adopt(ict, plan, adopted_on=date(2019, 3, 1))
    plan.refresh_from_db()
    second.refresh_from_db()
    assert plan.in_preparation and second.is_current


@pytest.mark.django_db
def test_department_staff_cannot_draft_record_or_adopt(reviewed, third, demo_users):
    from django.core.exceptions import PermissionDenied

    staff = demo_users["demo-staff-a"]
    with pytest.raises(PermissionDenied):
        services.record(staff, third, choices_as_prefilled(third))
    with pytest.raises(PermissionDenied):
        services.adopt(staff, third, adopted_on=date(2021, 3, 25))


@pytest.mark.django_db
def test_the_settings_page_cannot_skip_the_succession(third, ict):
    from projects.authoring import dispatch
    from projects.authoring.operations import StructureError

    with pytest.raises(StructureError, match="引継ぎが記録されていない"):
        dispatch.apply(third, ict, {"op": "edit_plan", "fields": {"in_preparation": False}})
    third.refresh_from_db()
    assert third.in_preparation
