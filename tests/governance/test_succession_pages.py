"""The succession pages as 情報推進課 uses them, and refused to everyone else."""

from datetime import date

import pytest

from governance.succession import services
from plans.models import Fate, Plan, Project, Succession


@pytest.fixture
def ict_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def posted_rows(client, url, **overrides):
    """What the succession page posts when saved as shown, with `overrides` {code: {field: value}}."""
    response = client.get(url)
    assert response.status_code == 200
    formset = response.context["formset"]
    data = {f"rows-{key}": value for key, value in formset.management_form.initial.items()}
    for i, form in enumerate(formset.forms):
        values = {name: form.initial.get(name) for name in form.fields}
        code = Project.objects.get(pk=values["project"]).code
        values.update(overrides.get(code, {}))
        data.update({f"rows-{i}-{name}": "" if value is None else value for name, value in values.items()})
    return data


@pytest.mark.django_db
def test_ict_office_drafts_records_and_adopts_through_the_pages(ict_client, seed):
    response = ict_client.post("/plans/manage/second/next/", {
        "code": "third", "name": "第三期昭島市情報化推進計画", "start_year": "令和3年度", "end_year": "令和7年度",
        "copy_tree": "on"})
    assert response.status_code == 302 and response["Location"] == "/plans/manage/third/succession/"
    third = Plan.objects.get(code="third")
    assert third.in_preparation and third.items.count() == 32
    url = "/plans/manage/third/succession/"
    page = ict_client.get(url).content.decode()
    assert "昭島市公式 Twitter(ツイッター)の利用促進" in page and "未記録 46 件" in page
    item = third.items.get(code="Ⅰ-1-1").pk
    data = posted_rows(ict_client, url, **{"1-1-1-02": {"fate": Fate.CONTINUED, "item": item}})
    response = ict_client.post(url, data)
    assert response.status_code == 302
    assert Succession.objects.filter(next_plan=third).count() == 46
    assert third.projects.get().name == "昭島市公式 Twitter(ツイッター)の利用促進"
    response = ict_client.post("/plans/manage/third/adopt/", {"adopted_on": "2021-03-25"})
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.is_current and third.adopted_on == date(2021, 3, 25)


@pytest.mark.django_db
def test_a_bad_row_is_shown_with_its_message_and_nothing_is_saved(ict_client, seed, demo_users):
    third = services.draft_next_plan(demo_users["demo-joho"], seed["second"], code="third", name="第三期",
                                     start_year=2021, end_year=2025)
    twitter = Project.objects.get(plan__code="second", code="1-1-1-02")
    url = "/plans/manage/third/succession/"
    data = posted_rows(ict_client, url, **{"1-1-1-02": {"fate": Fate.MERGED, "merge_into": twitter.pk}})
    response = ict_client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "統合先に自分自身は選べません" in page
    assert not Succession.objects.exists() and not third.projects.exists()


@pytest.mark.django_db
def test_adoption_refused_with_the_reason_on_the_page(ict_client, seed, demo_users):
    services.draft_next_plan(demo_users["demo-joho"], seed["second"], code="third", name="第三期",
                             start_year=2021, end_year=2025)
    response = ict_client.post("/plans/manage/third/adopt/", {"adopted_on": "2021-03-25"})
    assert response.status_code == 400
    assert "46 件の引継ぎが記録されていません" in response.content.decode()
    assert Plan.objects.get(code="third").in_preparation


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/plans/manage/second/next/", "/plans/manage/second/succession/",
                                 "/plans/manage/second/adopt/"])
def test_department_staff_get_403(staff_client, url):
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {}).status_code == 403
