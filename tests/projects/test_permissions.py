"""Who may read and who may edit a 情報化事業シート, checked over HTTP.

Rules (domain §1, §3): everyone signed in reads every sheet, its print page and
PDF; department staff and their 課長 edit their own 課's sheets only; 情報推進課
edits every sheet and alone sets 担当部署; committee members, executives and the
CIO補佐官 only read. A refused edit is a 404 (the lookup is scoped) and changes
nothing in the sheet tables or their history.
"""

import hashlib
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.models import Section
from projects import permissions
from projects.models import Indicator, IndicatorTarget, ProjectSheet, ScheduleEntry
from tests.projects.conftest import edit_url, form_data

LOGIN_PATH = "/accounts/login/"
SHEET_MODELS = [ProjectSheet, Indicator, IndicatorTarget, ScheduleEntry]
TABLES = [*SHEET_MODELS, *(model.history.model for model in SHEET_MODELS)]

# (user, sheet, may edit): the sheet is "shimin" (市民課), "kankyo" (環境課) or
# "joho" (a sheet of 情報推進課 itself).
EDIT_MATRIX = [
    ("demo-joho", "joho", True),
    ("demo-joho", "shimin", True),
    ("demo-joho", "kankyo", True),
    ("demo-staff-a", "shimin", True),
    ("demo-staff-a", "kankyo", False),
    ("demo-staff-b", "kankyo", True),
    ("demo-staff-b", "shimin", False),
    ("demo-kacho", "shimin", True),
    ("demo-kacho", "kankyo", False),
    ("demo-bucho", "shimin", False),
    ("demo-bucho", "kankyo", False),
    ("demo-exec", "shimin", False),
    ("demo-exec", "kankyo", False),
    ("demo-advisor", "shimin", False),
    ("demo-advisor", "kankyo", False),
]
OWN = {
    "demo-joho": "joho", "demo-staff-a": "shimin", "demo-kacho": "shimin", "demo-staff-b": "kankyo",
}
NO_SECTION = {"demo-bucho", "demo-exec", "demo-advisor"}


def _case_id(username, sheet_key, may_edit=None):
    relation = ("no-section" if username in NO_SECTION
                else "own-section" if OWN[username] == sheet_key else "other-section")
    verdict = "" if may_edit is None else ("-editor" if may_edit else "-refused")
    return f"{username.removeprefix('demo-')}-{relation}-{sheet_key}{verdict}"


EDIT_IDS = [_case_id(*case) for case in EDIT_MATRIX]
REFUSED = [case[:2] for case in EDIT_MATRIX if not case[2]]
ALLOWED = [case[:2] for case in EDIT_MATRIX if case[2]]
READ_ACTIONS = ["detail", "print", "pdf"]


def sheet_url(sheet, action="detail"):
    base = f"/sheets/{sheet.project.plan.code}/{sheet.project.code}/"
    return base if action == "detail" else f"{base}{action}/"


def digest():
    """A fingerprint of every row of the sheet tables and their history tables."""
    h = hashlib.sha256()
    for model in TABLES:
        rows = list(model.objects.order_by("pk").values_list())
        h.update(f"{model._meta.db_table}:{len(rows)}:{rows!r}".encode())
    return h.hexdigest()


@pytest.fixture
def sheets(shimin_sheet, kankyo_sheet):
    joho = ProjectSheet.objects.filter(section__code="joho-suishin").first()
    assert joho is not None, "the seed gives 情報推進課 its own sheets (Ⅱ-1-2, Ⅱ-3-1, Ⅱ-3-2)"
    return {"shimin": shimin_sheet, "kankyo": kankyo_sheet, "joho": joho}


@pytest.fixture
def login(demo_users):
    def _login(username):
        client = Client()
        client.force_login(demo_users[username])
        return client
    return _login


@pytest.fixture
def hostile_post(login):
    """A complete, valid edit POST for a sheet (built by 情報推進課, who may open the
    form), changing 実施根拠 and 担当部署 — what a refused user might replay."""
    def _build(sheet):
        other = Section.objects.exclude(pk=sheet.section_id).order_by("pk").first()
        return form_data(login("demo-joho"), sheet, **{
            "sheet-legal_basis": "不正な書き換え", "sheet-section": str(other.pk), "draft": "1",
        })
    return _build


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == LOGIN_PATH


# ---- reading: everyone signed in, every sheet ------------------------------------

READERS = sorted({case[0] for case in EDIT_MATRIX})


@pytest.mark.parametrize("action", READ_ACTIONS)
@pytest.mark.parametrize("sheet_key", ["shimin", "kankyo"])
@pytest.mark.parametrize("username", READERS, ids=lambda u: u.removeprefix("demo-"))
def test_every_signed_in_user_reads_any_sheet(login, sheets, username, sheet_key, action):
    sheet = sheets[sheet_key]
    before = digest()
    response = login(username).get(sheet_url(sheet, action))
    assert response.status_code == 200
    if action == "pdf":
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    else:
        assert sheet.project.name in response.text
    assert digest() == before


@pytest.mark.parametrize("action", [*READ_ACTIONS, "edit"])
def test_anonymous_visitor_is_sent_to_login_for_every_sheet_page(client, sheets, action):
    response = client.get(sheet_url(sheets["shimin"], action))
    assert_sent_to_login(response)


def test_anonymous_edit_post_is_sent_to_login_and_changes_nothing(client, sheets, hostile_post):
    sheet = sheets["shimin"]
    data = hostile_post(sheet)
    before = digest()
    assert_sent_to_login(client.post(edit_url(sheet), data))
    assert digest() == before


# ---- editing: the matrix ----------------------------------------------------------

@pytest.mark.parametrize(("username", "sheet_key", "may_edit"), EDIT_MATRIX, ids=EDIT_IDS)
def test_edit_form_opens_only_for_editors(login, sheets, username, sheet_key, may_edit):
    sheet = sheets[sheet_key]
    before = digest()
    response = login(username).get(edit_url(sheet))
    assert response.status_code == (200 if may_edit else 404)
    assert digest() == before


@pytest.mark.parametrize(("username", "sheet_key"), REFUSED, ids=[_case_id(*c) for c in REFUSED])
@pytest.mark.parametrize("button", ["draft", "complete"])
def test_refused_edit_post_is_404_and_changes_nothing(
    login, sheets, hostile_post, username, sheet_key, button
):
    sheet = sheets[sheet_key]
    data = hostile_post(sheet)
    data.pop("draft")
    data[button] = "1"
    before = digest()
    response = login(username).post(edit_url(sheet), data)
    assert response.status_code == 404
    assert digest() == before


@pytest.mark.parametrize(("username", "sheet_key"), ALLOWED, ids=[_case_id(*c) for c in ALLOWED])
def test_allowed_edit_post_is_saved_by_that_user(login, demo_users, sheets, username, sheet_key):
    sheet = sheets[sheet_key]
    client = login(username)
    version = sheet.version
    data = form_data(client, sheet, **{"sheet-legal_basis": f"地方自治法({username})", "draft": "1"})
    before = digest()
    response = client.post(edit_url(sheet), data)
    assert response.status_code == 302
    assert digest() != before  # the fingerprint does see a saved change
    assert response["Location"] == sheet.get_absolute_url()
    sheet.refresh_from_db()
    assert sheet.legal_basis == f"地方自治法({username})"
    assert sheet.updated_by == demo_users[username]
    assert sheet.version == version + 1
    assert sheet.history.first().history_user == demo_users[username]


# ---- 担当部署, 事業コード, 事業名 ------------------------------------------------------------

@pytest.mark.parametrize("username", ["demo-staff-a", "demo-kacho"])
def test_department_staff_cannot_move_a_sheet_or_rename_its_project(
    login, demo_users, sheets, username
):
    sheet = sheets["shimin"]
    project = sheet.project
    code, name, project_id = project.code, project.name, project.pk
    client = login(username)
    assert "sheet-section" not in client.get(edit_url(sheet)).text
    data = form_data(client, sheet, **{
        "sheet-section": str(sheets["kankyo"].section_id),
        "sheet-project": str(sheets["kankyo"].project_id),
        "sheet-code": "9-9-9-99", "sheet-name": "書き換えた事業名",
        "sheet-updated_by": str(demo_users["demo-joho"].pk),
        "sheet-legal_basis": "住民基本台帳法", "draft": "1",
    })
    assert client.post(edit_url(sheet), data).status_code == 302
    sheet.refresh_from_db()
    project.refresh_from_db()
    assert sheet.legal_basis == "住民基本台帳法"  # the allowed part was saved …
    assert sheet.section.code == "shimin"  # … and the forbidden fields ignored
    assert sheet.project_id == project_id
    assert (project.code, project.name) == (code, name)
    assert sheet.updated_by == demo_users[username]


def test_ict_office_assigns_the_section(login, demo_users, sheets):
    sheet = sheets["shimin"]
    client = login("demo-joho")
    assert 'name="sheet-section"' in client.get(edit_url(sheet)).text
    kankyo = Section.objects.get(code="kankyo")
    data = form_data(client, sheet, **{"sheet-section": str(kankyo.pk), "draft": "1"})
    assert client.post(edit_url(sheet), data).status_code == 302
    sheet.refresh_from_db()
    assert sheet.section == kankyo
    assert sheet.updated_by == demo_users["demo-joho"]
    # Now 環境課's sheet: 市民課 staff lose it, 環境課 staff gain it.
    assert login("demo-staff-a").get(edit_url(sheet)).status_code == 404
    assert login("demo-staff-b").get(edit_url(sheet)).status_code == 200


# ---- the sheet list -----------------------------------------------------------------

def test_sheet_list_shows_staff_their_own_sections_sheets_by_default(login, sheets):
    response = login("demo-staff-a").get("/sheets/")
    assert response.status_code == 200
    assert response.context["wanted"] == "shimin"
    listed = [sheet for sheet, _missing in response.context["rows"]]
    assert sheets["shimin"] in listed
    assert sheets["kankyo"] not in listed
    assert all(sheet.section.code == "shimin" for sheet in listed)
    assert sheets["shimin"].project.name in response.text


def test_sheet_list_of_another_section_is_readable(login, sheets):
    response = login("demo-staff-a").get("/sheets/?section=kankyo")
    assert response.status_code == 200
    listed = [sheet for sheet, _missing in response.context["rows"]]
    assert sheets["kankyo"] in listed and sheets["shimin"] not in listed


# ---- projects.permissions agrees with the pages --------------------------------------

@pytest.mark.parametrize(("username", "sheet_key", "may_edit"), EDIT_MATRIX, ids=EDIT_IDS)
def test_permission_functions_agree_with_http(
    login, demo_users, sheets, username, sheet_key, may_edit
):
    user, sheet = demo_users[username], sheets[sheet_key]
    assert permissions.can_edit_sheet(user, sheet) is may_edit
    assert permissions.can_assign_section(user, sheet) is (username == "demo-joho")
    assert ProjectSheet.objects.editable_by(user).filter(pk=sheet.pk).exists() is may_edit
    assert ProjectSheet.objects.visible_to(user).filter(pk=sheet.pk).exists()
    detail = login(username).get(sheet_url(sheet))
    assert detail.context["can_edit"] is may_edit
    assert (edit_url(sheet) in detail.text) is may_edit


def test_permission_functions_refuse_anonymous(sheets):
    anonymous, sheet = AnonymousUser(), sheets["shimin"]
    assert not permissions.can_edit_sheet(anonymous, sheet)
    assert not permissions.can_assign_section(anonymous, sheet)
    assert not ProjectSheet.objects.editable_by(anonymous).exists()
    assert not ProjectSheet.objects.visible_to(anonymous).exists()
