"""Publishing is a decision of 情報推進課: each act recorded, refused with a Japanese
message when the rule does not allow it, and seen on the public pages at once."""

from datetime import date

import pytest
from django.utils import timezone

from governance.cycles.services import open_cycle
from governance.models import CycleKind, ReportState
from publication import services
from publication.models import CyclePublication, PlanPublication, PublicationEvent
from tests.publication.conftest import TWITTER, decide_all


@pytest.fixture
def decided_cycle(second, ict, twitter_sheet):
    cycle = open_cycle(user=ict, plan=second, kind=CycleKind.ANNUAL, fiscal_year=2016, deadline=date(2017, 5, 31))
    decide_all(cycle)
    return cycle


@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho", "demo-bucho", "demo-exec", "demo-advisor"])
def test_only_the_ict_office_may_publish_or_withdraw(second, demo_users, decided_cycle, username):
    user = demo_users[username]
    for act, kwargs in [(services.publish_plan, {"plan": second}),
                        (services.withdraw_plan, {"plan": second, "reason": "誤り"}),
                        (services.publish_cycle, {"cycle": decided_cycle}),
                        (services.withdraw_cycle, {"cycle": decided_cycle, "reason": "誤り"})]:
        with pytest.raises(services.PublicationPermissionError, match="情報推進課だけ"):
            act(user=user, **kwargs)
    assert not PublicationEvent.objects.exists()


def test_publishing_and_withdrawing_a_plan_is_recorded_with_who_when_and_why(second, ict):
    record = services.publish_plan(user=ict, plan=second)
    assert (record.status, record.published_by, record.published_on) == ("published", ict, timezone.localdate())
    with pytest.raises(services.PublicationError, match="取下げの理由を入力してください"):
        services.withdraw_plan(user=ict, plan=second, reason="  ")
    assert PlanPublication.objects.get(plan=second).is_public
    services.withdraw_plan(user=ict, plan=second, reason="記載の誤りを訂正するため")
    record.refresh_from_db()
    assert (record.status, record.withdrawn_by, record.withdrawal_reason) == (
        "withdrawn", ict, "記載の誤りを訂正するため")
    services.publish_plan(user=ict, plan=second)
    events = list(PublicationEvent.objects.order_by("pk").values_list("action", "actor__username", "reason"))
    assert events == [("publish", "demo-joho", ""), ("withdraw", "demo-joho", "記載の誤りを訂正するため"),
                      ("publish", "demo-joho", "")]


def test_a_plan_in_preparation_cannot_be_published(second, ict):
    from governance.succession import services as succession

    third = succession.draft_next_plan(ict, second, code="third", name="第三期", start_year=2021, end_year=2025)
    with pytest.raises(services.PublicationError, match="策定中です"):
        services.publish_plan(user=ict, plan=third)
    assert not PlanPublication.objects.exists()


def test_a_cycle_is_published_only_once_every_report_is_decided_and_its_plan_is_public(second, ict, decided_cycle):
    with pytest.raises(services.PublicationError, match="先に計画"):
        services.publish_cycle(user=ict, cycle=decided_cycle)
    services.publish_plan(user=ict, plan=second)
    decided_cycle.reports.filter(sheet__project__code__in=[TWITTER, "1-1-1-03"]).update(state=ReportState.EVALUATED)
    with pytest.raises(services.PublicationError, match="判断が済んでいない実績報告が 2 件"):
        services.publish_cycle(user=ict, cycle=decided_cycle)
    assert not CyclePublication.objects.exists()
    decided_cycle.reports.filter(sheet__project__code=TWITTER).update(state=ReportState.REFLECTED)
    decided_cycle.reports.filter(sheet__project__code="1-1-1-03").update(state=ReportState.DECIDED)
    record = services.publish_cycle(user=ict, cycle=decided_cycle)
    assert record.is_public and record.published_by == ict


def test_a_withdrawn_cycle_disappears_from_the_pages_at_once(client, published, ict):
    url = f"/open/projects/second/{TWITTER}/"
    assert "1,250" in client.get(url).content.decode()
    services.withdraw_cycle(user=ict, cycle=published["cycle"], reason="数値の誤りが見つかったため")
    page = client.get(url).content.decode()
    assert "1,250" not in page and "年次進行管理" not in page
    assert "年次進行管理" not in client.get("/open/").content.decode()


def test_a_withdrawn_plan_is_gone_from_every_public_page(client, published, ict):
    services.withdraw_plan(user=ict, plan=published["plan"], reason="改訂版に差し替えるため")
    assert client.get("/open/plans/second/").status_code == 404
    assert client.get(f"/open/projects/second/{TWITTER}/").status_code == 404
    assert "第二期" not in client.get("/open/").content.decode()


# ─── The staff page ───────────────────────────────────────────────────────

def test_the_staff_page_is_for_the_ict_office_only(client, demo_users, published):
    client.force_login(demo_users["demo-staff-a"])
    assert client.get("/publication/").status_code == 403
    assert client.post(f"/publication/cycles/{published['cycle'].pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert CyclePublication.objects.get().is_public
    client.force_login(demo_users["demo-joho"])
    page = client.get("/publication/").content.decode()
    assert "公表の管理" in page and "公表中" in page and "情報 花子" in page


def test_the_ict_office_withdraws_a_cycle_from_the_staff_page_with_a_reason(client, demo_users, published):
    client.force_login(demo_users["demo-joho"])
    url = f"/publication/cycles/{published['cycle'].pk}/withdraw/"
    response = client.post(url, {"reason": ""}, follow=True)
    assert "取下げの理由を入力してください。" in response.content.decode()
    assert CyclePublication.objects.get().is_public
    response = client.post(url, {"reason": "数値の誤り"}, follow=True)
    assert "公表を取り下げました。" in response.content.decode()
    assert CyclePublication.objects.get().withdrawal_reason == "数値の誤り"


def test_the_plan_management_and_cycle_pages_link_to_the_staff_page(client, demo_users, published):
    client.force_login(demo_users["demo-joho"])
    assert 'href="/publication/#plan-second"' in client.get("/plans/manage/").content.decode()
    cycle = published["cycle"]
    assert f'href="/publication/#cycle-{cycle.pk}"' in client.get(f"/cycles/{cycle.pk}/").content.decode()
