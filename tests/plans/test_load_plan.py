"""`load_plan` (and the seed loader behind it): safe to run again, never
overwrites what users changed, and only makes demo users where allowed."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Department, Section, User
from plans.models import Placement, Plan, PlanItem, PlanLevel, Project

DEMO_USERNAMES = ["demo-joho", "demo-staff-a", "demo-staff-b", "demo-kacho", "demo-exec"]
LOADED_MODELS = [Department, Section, Plan, PlanLevel, PlanItem, Project, Placement]


def load_plan(*args):
    call_command("load_plan", *args, stdout=io.StringIO())


def counts():
    return {model.__name__: model.objects.count() for model in LOADED_MODELS}


def digest():
    """A hash of every row of the organisation and the plans, all columns."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in LOADED_MODELS}
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load_plan()
    before_counts, before_digest = counts(), digest()
    assert before_counts["Project"] > 0 and before_counts["Section"] > 0

    load_plan()

    assert counts() == before_counts
    assert digest() == before_digest


@pytest.mark.django_db
def test_second_load_reports_that_nothing_was_changed():
    load_plan()
    out = io.StringIO()
    call_command("load_plan", stdout=out)
    assert "読み込み済みのため変更しませんでした" in out.getvalue()
    assert "組織: 0 課を追加しました" in out.getvalue()


@pytest.mark.django_db
def test_users_edits_survive_a_second_load():
    load_plan()
    plan = Plan.objects.get(code="second")
    project = plan.projects.get(code="2-3-1-04")
    project.name = "情報セキュリティポリシーの改定(利用者が変更)"
    project.save()
    measure = PlanItem.objects.get(plan=plan, path="2-3-1")
    measure.text = "利用者が書き換えた施策の内容"
    measure.save()
    plan.philosophy_text = "利用者が書き換えた説明"
    plan.save()
    projects_before = plan.projects.count()

    load_plan()

    project.refresh_from_db()
    measure.refresh_from_db()
    plan.refresh_from_db()
    assert project.name == "情報セキュリティポリシーの改定(利用者が変更)"
    assert measure.text == "利用者が書き換えた施策の内容"
    assert plan.philosophy_text == "利用者が書き換えた説明"
    assert plan.projects.count() == projects_before
    assert not plan.projects.filter(name="情報セキュリティポリシーの適宜見直し").exists()


@pytest.mark.django_db
def test_renamed_section_is_not_renamed_back_or_duplicated_by_a_second_load():
    load_plan()
    section = Section.objects.get(name="環境課")
    section.name = "環境政策課"
    section.save()
    sections_before = Section.objects.count()

    load_plan()

    section.refresh_from_db()
    assert section.name == "環境政策課"
    assert Section.objects.count() == sections_before


@pytest.mark.django_db
def test_demo_users_are_refused_when_not_allowed(settings):
    settings.DEMO_USERS_ALLOWED = False
    Plan.objects.all().delete()  # a new database: nothing loaded yet
    before = counts()
    with pytest.raises(CommandError):
        load_plan("--demo")
    assert not User.objects.filter(username__startswith="demo-").exists()
    # refused before anything is written
    assert counts() == before


@pytest.mark.django_db
def test_demo_users_are_created_when_allowed_and_sign_in_with_demo(settings, client):
    settings.DEMO_USERS_ALLOWED = True
    load_plan("--demo")
    assert Plan.objects.filter(code="second").exists()
    for username in DEMO_USERNAMES:
        assert User.objects.filter(username=username).exists(), username
        assert client.login(username=username, password="demo"), username
        client.logout()


@pytest.mark.django_db
def test_demo_login_fails_with_a_wrong_password(settings, client):
    settings.DEMO_USERS_ALLOWED = True
    load_plan("--demo")
    assert not client.login(username="demo-staff-a", password="not-demo")


@pytest.mark.django_db
def test_demo_users_are_not_created_without_the_demo_flag(settings):
    settings.DEMO_USERS_ALLOWED = True
    load_plan()
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_loading_demo_users_twice_changes_nothing(settings):
    settings.DEMO_USERS_ALLOWED = True
    load_plan("--demo")
    users_before = list(User.objects.order_by("pk").values("pk", "username", "password", "section_id"))
    load_plan("--demo")
    assert list(User.objects.order_by("pk").values("pk", "username", "password", "section_id")) == users_before


def test_demo_staff_a_and_b_belong_to_different_sections(demo_users):
    staff_a, staff_b = demo_users["demo-staff-a"], demo_users["demo-staff-b"]
    assert staff_a.section is not None and staff_b.section is not None
    assert staff_a.section != staff_b.section
    assert staff_a.department == staff_a.section.department
    assert staff_b.department == staff_b.section.department


def test_demo_ict_office_user_belongs_to_the_information_promotion_section(demo_users):
    section = demo_users["demo-joho"].section
    assert (section.department.name, section.name) == ("総務部", "情報推進課")


def test_first_plan_has_the_six_levels_and_the_counts_the_second_plan_states(seed):
    first = Plan.objects.get(code="first")
    assert (first.start_year, first.end_year) == (2010, 2014)  # 平成22-26年度
    assert "昭島市情報化推進計画" in first.name
    assert not first.is_current
    # p.11: 基本理念 → 目標 → 基本方針 → 基本施策 → 情報化施策 → 事業 (six levels);
    # p.32: 3 目標, 9 基本方針, 16 基本施策, 27 情報化施策, 55 事業.
    assert [(level.name, level.stated_count) for level in first.level_list] == [
        ("目標", 3), ("基本方針", 9), ("基本施策", 16), ("情報化施策", 27)
    ]
    assert first.stated_project_count == 55
    # Its item titles are not printed in the second plan's text: left to be entered.
    assert first.items.count() == 0
    assert first.projects.count() == 0


def test_exactly_one_plan_is_current_and_it_is_the_second(seed):
    assert list(Plan.objects.filter(is_current=True).values_list("code", flat=True)) == ["second"]
    assert Plan.objects.current().code == "second"


def test_seed_loader_returns_nothing_when_plans_are_already_loaded(seed):
    from plans.services import load_seed_plans

    assert set(seed) == {"first", "second"}
    assert load_seed_plans() == []
