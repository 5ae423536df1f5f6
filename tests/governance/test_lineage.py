"""A project's story across plans on its page (the lineage timeline)."""

import pytest

from governance.succession import services
from governance.succession.lineage import lineage
from plans.models import Fate, Project
from tests.governance.conftest import MAIL, TWITTER, VIDEO, report
from tests.governance.test_succession import choices_as_prefilled, edit


@pytest.fixture
def handed_over(reviewed, third, ict):
    twitter = Project.objects.get(plan__code="second", code=TWITTER)
    choices = choices_as_prefilled(third)
    edit(choices, MAIL, fate=Fate.MERGED, merge_into_id=twitter.pk, reason="SNS と一体で運用するため")
    services.record(ict, third, choices)
    return twitter.succession.successors.get()


@pytest.mark.django_db
def test_a_carried_project_shows_both_plans_records(handed_over, client, demo_users):
    client.force_login(demo_users["demo-joho"])
    page = client.get(f"/plans/third/projects/{handed_over.code}/").content.decode()
    assert "計画をまたいだ経過" in page
    assert "第二期昭島市情報化推進計画" in page and "第三期昭島市情報化推進計画" in page
    # The second plan's reviews of FY2020 (年次進行管理 and 最終見直し) are shown with their 今後の方向性.
    assert "令和2年度(2020年度) 年次進行管理" in page and "第二期計画 最終見直し(平成30年度〜令和元年度)" in page
    # Both sources of the merged project, with what became of each.
    assert "継続(" in page and "統合(" in page
    assert "昭島市携帯メール情報サービスによるタイムリーな情報発信" in page


@pytest.mark.django_db
def test_the_old_project_says_what_it_became(handed_over, client, demo_users):
    client.force_login(demo_users["demo-joho"])
    page = client.get(f"/plans/second/projects/{TWITTER}/").content.decode()
    assert f"継続:第三期昭島市情報化推進計画 {handed_over.code} 昭島市公式 Twitter(ツイッター)の利用促進" in page
    mail = client.get(f"/plans/second/projects/{MAIL}/").content.decode()
    assert "次期計画では他の事業に統合" in mail and "統合:第三期昭島市情報化推進計画" in mail


@pytest.mark.django_db
def test_an_ended_project_is_labelled_ended_not_continuing(handed_over, client, demo_users):
    client.force_login(demo_users["demo-joho"])
    page = client.get(f"/plans/second/projects/{VIDEO}/").content.decode()
    assert "終了した事業" in page and "実施中・継続の事業" not in page
    video = Project.objects.get(plan__code="second", code=VIDEO)
    (stage,) = lineage(video)
    assert stage.entries[0].ended and stage.entries[0].fate_text == "完了"
    # Nowhere in the new plan.
    assert not Project.objects.filter(plan__code="third", name=video.name).exists()


@pytest.mark.django_db
def test_lineage_queries_do_not_grow_with_reports(handed_over, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        stages = lineage(handed_over)
    assert [stage.plan.code for stage in stages] == ["second", "third"]
    assert sorted(e.project.code for e in stages[0].entries) == [TWITTER, MAIL]


@pytest.mark.django_db
def test_the_dashboard_trend_runs_across_plans_for_carried_projects(handed_over, third, ict, client):
    from datetime import date

    from governance.cycles.services import open_cycle
    from governance.dashboard.facts import trend_facts
    from governance.models import CycleKind

    services.adopt(ict, third, adopted_on=date(2021, 3, 25))
    third.refresh_from_db()
    cycle = open_cycle(user=ict, plan=third, kind=CycleKind.ANNUAL, fiscal_year=2021, deadline=date(2022, 5, 31))
    report(cycle, handed_over.code, direction="continue")
    facts = trend_facts(third)
    # FY2020 of the second plan: the three carried projects' reports (Twitter, mail merged into it,
    # 広報紙), all ○ (projects not carried would not count). FY2021: the one report filled in,
    # and the third plan's other report still a draft (未報告, counted since #17).
    by_year = {}
    for year, _path, _dept, progress, n in facts:
        by_year.setdefault(year, {}).setdefault(progress, 0)
        by_year[year][progress] += n
    assert by_year == {2020: {"on_plan": 3}, 2021: {"on_plan": 1, "未報告": 1}}
    client.force_login(ict)
    page = client.get("/dashboard/?plan=third").content.decode()
    assert "令和2年度(2020年度)(前計画・継続事業)" in page
