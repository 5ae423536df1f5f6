"""The admin: every model registered, in Japanese, usable by 情報推進課."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = {"accounts", "plans", "projects", "governance"}


def our_models():
    # History tables are shown through each model's 「履歴」 page, not on their own.
    return [
        m for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not hasattr(m, "instance_type")
    ]


def test_every_model_of_our_apps_is_in_the_admin():
    models = our_models()
    assert models
    missing = [m.__name__ for m in models if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize(
    "model", our_models(), ids=lambda m: m.__name__
)
def test_admin_lists_search_and_add_pages_work_for_ict_office(client, demo_users, model):
    client.force_login(demo_users["demo-joho"])
    opts = model._meta
    if not demo_users["demo-joho"].has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        pytest.skip("not part of 情報推進課's master data")
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = client.get(changelist, {"q": "情報"})
    assert response.status_code == 200
    # Japanese labels: the verbose names are not the English class names.
    assert opts.verbose_name != opts.model_name
    first = model.objects.first()
    if first is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert client.get(change).status_code == 200


def test_department_staff_cannot_use_the_admin(client, demo_users):
    client.force_login(demo_users["demo-staff-a"])
    response = client.get(reverse("admin:plans_project_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
