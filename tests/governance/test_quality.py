"""The quality check before submission and the achievement rate behind it."""

from decimal import Decimal

import pytest

from governance.cycles import services
from governance.achievement import achievement
from governance.cycles.quality import quality_check, result_rows
from governance.models import AnnualReport, IndicatorResult, ReportEvent, ReportState
from projects.models import Indicator, IndicatorTarget, ScheduleEntry
from tests.governance.conftest import fill


def check(report):
    return quality_check(AnnualReport.objects.with_details().get(pk=report.pk))


def set_target(report, year, value):
    indicator = report.results.get().indicator
    IndicatorTarget.objects.filter(indicator=indicator, fiscal_year=year).update(value=value)
    return indicator


# ─── achievement() by hand ────────────────────────────────────────────────

@pytest.mark.parametrize(("actual", "target", "direction", "expected"), [
    (950, 1000, "up", "95.0"),
    (1000, 1000, "up", "100.0"),
    (1200, 1000, "up", "120.0"),
    (1, 3, "up", "33.3"),           # 33.333…
    (2, 3, "up", "66.7"),           # 66.666… rounds up
    (1, 8, "up", "12.5"),           # 12.5 exactly
    (1, 16, "up", "6.3"),           # 6.25 → half up
    (0, 1000, "up", "0.0"),
    (80, 100, "down", "125.0"),     # smaller is better: under target is above 100%
    (100, 100, "down", "100.0"),
    (130, 100, "down", "76.9"),     # 76.923…
    (200, 100, "down", "50.0"),
    (3, 2, "down", "66.7"),
    (0, 0, "down", "100.0"),        # nothing wanted, nothing happened
    ("12.5", "10", "down", "80.0"),
])
def test_achievement_by_hand(actual, target, direction, expected):
    assert achievement(actual, target, direction) == Decimal(expected)
    assert str(achievement(actual, target, direction)) == expected


@pytest.mark.parametrize(("actual", "target", "direction"), [
    (None, 100, "up"), (100, None, "up"), (None, None, "down"),
    (5, 0, "up"),      # no target to divide by
    (0, 5, "down"),    # target / 0
])
def test_achievement_cannot_be_computed(actual, target, direction):
    assert achievement(actual, target, direction) is None


def test_result_rows_use_the_target_of_the_cycles_year(shimin_report):
    set_target(shimin_report, 2016, 800)
    set_target(shimin_report, 2017, 2000)
    fill(shimin_report, actual=600)
    [row] = result_rows(AnnualReport.objects.with_details().get(pk=shimin_report.pk))
    assert row.target == Decimal(800)
    assert row.rate == Decimal("75.0")  # 600 / 800


def test_result_rows_respect_a_downward_indicator(shimin_report):
    indicator = set_target(shimin_report, 2016, 50)
    indicator.direction = "down"
    indicator.save()
    fill(shimin_report, actual=40)
    [row] = result_rows(AnnualReport.objects.with_details().get(pk=shimin_report.pk))
    assert row.rate == Decimal("125.0")  # 50 / 40


# ─── Blockers ─────────────────────────────────────────────────────────────

def test_a_complete_report_has_no_blockers(shimin_report):
    fill(shimin_report)
    blockers, warnings = check(shimin_report)
    assert blockers == []
    assert warnings == []


@pytest.mark.parametrize(("field", "message"), [
    ("implementation_status", "「実施状況」を選んでください。"),
    ("progress", "「進捗度」を選んでください。"),
    ("direction", "「今後の方向性」を選んでください。"),
    ("work_done", "「実施した内容」を記入してください。"),
])
def test_each_missing_field_blocks(shimin_report, field, message):
    fill(shimin_report)
    setattr(shimin_report, field, "")
    shimin_report.save()
    blockers, _ = check(shimin_report)
    assert blockers == [message]


def test_blank_work_done_of_spaces_blocks(shimin_report):
    fill(shimin_report)
    shimin_report.work_done = "  \n  "
    shimin_report.save()
    assert check(shimin_report)[0] == ["「実施した内容」を記入してください。"]


def test_a_missing_actual_value_blocks(shimin_report):
    fill(shimin_report)
    IndicatorResult.objects.filter(report=shimin_report).update(actual=None)
    blockers, _ = check(shimin_report)
    assert blockers == ["指標「収納件数」の実績値がありません。"]


def test_an_actual_of_zero_is_a_value(shimin_report):
    fill(shimin_report, actual=0, progress="behind")
    assert check(shimin_report)[0] == []


def test_a_qualitative_indicator_needs_a_note_not_a_value(shimin_report):
    fill(shimin_report)
    result = shimin_report.results.get()
    Indicator.objects.filter(pk=result.indicator_id).update(is_qualitative=True, unit="")
    IndicatorResult.objects.filter(pk=result.pk).update(actual=None, note="")
    assert check(shimin_report)[0] == ["定性的な指標「収納件数」の実績を補足欄に記入してください。"]
    IndicatorResult.objects.filter(pk=result.pk).update(note="コンビニ各社と連携を開始した。")
    assert check(shimin_report)[0] == []


def test_a_new_draft_lists_every_blocker(shimin_report):
    blockers, _ = check(shimin_report)
    assert len(blockers) == 5
    assert "指標「収納件数」の実績値がありません。" in blockers


# ─── Warnings ─────────────────────────────────────────────────────────────

FAR_BELOW = "進捗度は「○ 計画どおり」ですが"


@pytest.mark.parametrize(("actual", "warned"), [(790, True), (799, True), (800, False), (1000, False)])
def test_on_plan_with_an_indicator_far_below_target_warns(shimin_report, actual, warned):
    fill(shimin_report, actual=actual, progress="on_plan")  # target 1000
    blockers, warnings = check(shimin_report)
    assert blockers == []
    assert any(FAR_BELOW in w and "収納件数" in w for w in warnings) is warned


def test_behind_with_an_indicator_far_below_target_does_not_warn(shimin_report):
    fill(shimin_report, actual=100, progress="behind")
    assert not any(FAR_BELOW in w for w in check(shimin_report)[1])


@pytest.mark.parametrize(("actual", "warned"), [(90, False), (125, False), (130, True)])
def test_far_below_respects_a_downward_indicator(shimin_report, actual, warned):
    """Smaller is better: 130 against a target of 100 is 76.9%, 125 is exactly 80%."""
    indicator = set_target(shimin_report, 2016, 100)
    indicator.direction = "down"
    indicator.save()
    fill(shimin_report, actual=actual, progress="on_plan")
    assert any(FAR_BELOW in w for w in check(shimin_report)[1]) is warned


def test_far_below_message_gives_the_rate(shimin_report):
    fill(shimin_report, actual=500)
    assert any("50.0%" in w for w in check(shimin_report)[1])


COMPLETED_WITH_PLANS = "翌年度以降の予定が残っています"


def test_completed_with_future_plans_on_the_sheet_warns(shimin_report):
    # The fixture plans 「周知」 for every year of the sheet.
    fill(shimin_report, status="completed", direction="complete")
    assert any(COMPLETED_WITH_PLANS in w for w in check(shimin_report)[1])


def test_completed_without_future_plans_does_not_warn(shimin_report):
    ScheduleEntry.objects.filter(sheet=shimin_report.sheet, fiscal_year__gt=2016).update(planned="")
    fill(shimin_report, status="completed", direction="complete")
    assert not any(COMPLETED_WITH_PLANS in w for w in check(shimin_report)[1])


def test_completed_with_blank_future_plans_does_not_warn(shimin_report):
    ScheduleEntry.objects.filter(sheet=shimin_report.sheet, fiscal_year__gt=2016).update(planned=" ")
    fill(shimin_report, status="completed", direction="complete")
    assert not any(COMPLETED_WITH_PLANS in w for w in check(shimin_report)[1])


def test_continuing_with_future_plans_does_not_warn(shimin_report):
    fill(shimin_report, status="continuing", direction="continue")
    assert not any(COMPLETED_WITH_PLANS in w for w in check(shimin_report)[1])


@pytest.mark.parametrize(("kind", "name", "unit", "warned"), [
    ("outcome", "研修の開催", "回", True),
    ("outcome", "相談件数", "件", True),
    ("outcome", "説明会の実施", "", True),   # the name says it counts activities
    ("outcome", "利用者の満足度", "%", False),
    ("outcome", "窓口の待ち時間の短縮", "分", False),
    ("output", "研修の開催", "回", False),    # an activity indicator may count activities
])
def test_outcome_indicator_counting_activities_warns(shimin_report, kind, name, unit, warned):
    indicator = shimin_report.results.get().indicator
    Indicator.objects.filter(pk=indicator.pk).update(kind=kind, name=name, unit=unit)
    fill(shimin_report, actual=1000)
    warnings = check(shimin_report)[1]
    assert any("成果指標" in w and name in w for w in warnings) is warned


# ─── Submission ───────────────────────────────────────────────────────────

def test_submit_is_refused_with_blockers_and_changes_nothing(shimin_report, demo_users):
    fill(shimin_report)
    IndicatorResult.objects.filter(report=shimin_report).update(actual=None)
    before = AnnualReport.objects.filter(pk=shimin_report.pk).values().get()
    with pytest.raises(services.WorkflowError) as error:
        services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    assert "指標「収納件数」の実績値がありません。" in str(error.value)
    assert AnnualReport.objects.filter(pk=shimin_report.pk).values().get() == before
    assert before["state"] == ReportState.DRAFT
    assert not ReportEvent.objects.filter(report=shimin_report).exists()


def test_submit_is_refused_for_an_empty_draft(shimin_report, demo_users):
    with pytest.raises(services.WorkflowError):
        services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    assert AnnualReport.objects.get(pk=shimin_report.pk).state == ReportState.DRAFT


def test_warnings_do_not_stop_submission(shimin_report, demo_users):
    fill(shimin_report, actual=100, progress="on_plan", status="completed", direction="complete")
    assert check(shimin_report)[1]
    moved = services.submit_report(user=demo_users["demo-staff-a"], report=shimin_report)
    assert moved.state == ReportState.SUBMITTED


def test_submit_page_shows_the_blockers(client, shimin_report, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    response = client.post(f"/reports/{shimin_report.pk}/submit/", follow=True)
    assert "「実施状況」を選んでください。" in response.content.decode()
    assert AnnualReport.objects.get(pk=shimin_report.pk).state == ReportState.DRAFT


# ─── An indicator added to the sheet after the cycle opened ───────────────

@pytest.fixture
def added_indicator(shimin_report):
    indicator = Indicator.objects.create(sheet=shimin_report.sheet, name="利用者数", unit="人", position=2)
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2016, value=300)
    return indicator


def test_an_indicator_added_after_the_cycle_opened_blocks_submission_until_reported(shimin_report, added_indicator):
    blockers, _ = check(fill(shimin_report))
    assert blockers == ["指標「利用者数」の実績値がありません。"]


def test_the_report_form_offers_the_added_indicator_and_saves_its_result(staff_client, shimin_report,
                                                                          added_indicator):
    url = f"/reports/{shimin_report.pk}/edit/"
    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "利用者数(活動指標)" in html and "目標値:300人" in html
    fill(shimin_report)
    form = page.context["formset"]
    data = {"seen_version": shimin_report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            **{form.management_form[k].html_name: v for k, v in form.management_form.initial.items()}}
    for i, result_form in enumerate(form.forms):
        data[f"results-{i}-id"] = result_form.instance.pk or ""
        data[f"results-{i}-actual"] = "950" if result_form.instance.pk else "280"
    shimin_report.refresh_from_db()
    data["seen_version"] = shimin_report.version
    assert staff_client.post(url, data).status_code == 302
    assert IndicatorResult.objects.get(report=shimin_report, indicator=added_indicator).actual == 280
    assert check(shimin_report)[0] == []


def test_a_posted_count_beyond_the_missing_indicators_adds_nothing(staff_client, shimin_report, added_indicator):
    url = f"/reports/{shimin_report.pk}/edit/"
    form = staff_client.get(url).context["formset"]
    data = {"seen_version": shimin_report.version, "report-implementation_status": "continuing",
            "report-progress": "on_plan", "report-direction": "continue", "report-work_done": "周知した",
            "results-TOTAL_FORMS": "5", "results-INITIAL_FORMS": "1", "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "1000", "results-0-id": form.forms[0].instance.pk, "results-0-actual": "950",
            "results-1-actual": "1", "results-2-actual": "2", "results-3-actual": "3", "results-4-actual": "4"}
    assert staff_client.post(url, data).status_code == 302
    assert IndicatorResult.objects.filter(report=shimin_report).count() == 2


# ─── 実施状況 against 今後の方向性 (表4-2, 表4-4), cases by hand ───────────────

@pytest.mark.parametrize(("status", "direction", "warning"), [
    ("completed", "continue", "実施状況が「完了」なのに今後の方向性が「継続」です"),
    ("continuing", "complete", "実施状況が「継続」なのに今後の方向性が「完了」です"),
    ("completed", "complete", None),
    ("continuing", "continue", None),
    ("continuing", "undecided", None),
    ("postponed", "continue", None),
])
def test_status_and_direction_that_contradict_warn(shimin_report, status, direction, warning):
    ScheduleEntry.objects.filter(sheet=shimin_report.sheet, fiscal_year__gt=2016).update(planned="")
    fill(shimin_report, status=status, direction=direction)
    blockers, warnings = check(shimin_report)
    assert blockers == []
    contradictions = [w for w in warnings if "なのに今後の方向性" in w]
    if warning is None:
        assert contradictions == []
    else:
        assert len(contradictions) == 1 and warning in contradictions[0]
