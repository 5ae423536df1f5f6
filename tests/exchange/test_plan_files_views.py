"""The 「計画の取込み・書出し」 page: 情報推進課 only (403 for every other role),
upload → preview → confirm, and a file taken through LibreOffice."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from exchange.files import read_upload
from exchange.plan_files import export_plan, run_plan_import
from plans.models import Plan, PlanItem, Project
from tests.test_access import ROLE_USERS

PAGE = reverse("exchange:plan_files")
PREVIEW = reverse("exchange:plan_import_preview")


@pytest.fixture
def office_client(client, demo_users):
    client.force_login(demo_users["demo-joho"])
    return client


def export_url(code="second", fmt="xlsx"):
    return reverse("exchange:plan_export", args=[code]) + ("?format=csv" if fmt == "csv" else "")


def upload(client, data, name="plan.xlsx", plan_code=""):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data), "plan_code": plan_code})


@pytest.mark.parametrize("role", [r for r in ROLE_USERS if r != "情報推進課"])
def test_every_other_role_is_refused(demo_users, seed, role):
    client = Client()
    client.force_login(demo_users[ROLE_USERS[role]])
    data, _ = export_plan(seed["second"])
    before = Plan.objects.count()
    assert client.get(PAGE).status_code == 403
    assert client.get(export_url()).status_code == 403
    assert client.get(PREVIEW).status_code == 403
    assert upload(client, data, plan_code="by-" + ROLE_USERS[role]).status_code == 403
    assert client.post(PREVIEW, {"token": "x"}).status_code == 403
    assert Plan.objects.count() == before
    assert "計画の取込み・書出し" not in client.get(reverse("exchange:data_index")).text


def test_the_ict_office_sees_every_plan_and_downloads_its_files(office_client, seed):
    page = office_client.get(PAGE)
    assert page.status_code == 200
    assert export_url("second") in page.text and export_url("first") in page.text
    response = office_client.get(export_url())
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    upload_ = read_upload(io.BytesIO(response.content), "p.xlsx")
    assert list(upload_.sheets) == ["計画", "階層", "体系"]
    csv = office_client.get(export_url(fmt="csv"))
    assert csv["Content-Type"] == "text/csv; charset=utf-8" and csv.content.startswith("\ufeff種別".encode())
    assert office_client.get(export_url("no-such-plan")).status_code == 404
    assert reverse("exchange:plan_files") in office_client.get(reverse("exchange:data_index")).text


def test_upload_preview_confirm_creates_a_plan_in_preparation(office_client, seed):
    data, _ = export_plan(seed["second"])
    response = upload(office_client, data, plan_code="draft")
    assert response.status_code == 302 and response["Location"] == PREVIEW
    preview = office_client.get(PREVIEW)
    assert preview.status_code == 200
    assert "新しい計画「第二期昭島市情報化推進計画」(計画コード draft)を<strong>策定中</strong>として作ります" in preview.text
    assert "項目の追加" in preview.text and not Plan.objects.filter(code="draft").exists()
    digest = preview.context["outcome"].digest
    token = office_client.session["exchange_plan_upload"]["token"]
    assert office_client.post(PREVIEW, {"token": "other", "digest": digest}).status_code == 302
    assert not Plan.objects.filter(code="draft").exists()
    done = office_client.post(PREVIEW, {"token": token, "digest": digest})
    assert done.status_code == 302 and done["Location"] == reverse("plans:plan_tree", kwargs={"plan": "draft"})
    draft = Plan.objects.get(code="draft")
    assert draft.in_preparation
    assert Project.objects.filter(plan=draft).count() == Project.objects.filter(plan=seed["second"]).count()
    # The upload is gone once applied.
    assert office_client.get(PREVIEW).status_code == 302


def test_errors_are_listed_by_sheet_row_and_column(office_client, seed):
    data, _ = export_plan(seed["second"])
    response = upload(office_client, data)  # the file's own code: the adopted second plan
    assert response.status_code == 302
    preview = office_client.get(PREVIEW)
    assert "誤りがあります(1 件)" in preview.text and "策定中ではないため" in preview.text
    assert "この内容で取り込む" not in preview.text
    token = office_client.session["exchange_plan_upload"]["token"]
    assert office_client.post(PREVIEW, {"token": token}).status_code == 400


def test_a_csv_needs_the_target_plan_code(office_client, seed):
    data, _ = export_plan(seed["second"], "csv")
    response = upload(office_client, data, name="tree.csv")
    assert response.status_code == 400 and "取り込み先の計画コードを入力してください" in response.text
    assert upload(office_client, b"not a workbook", name="plan.xlsx").status_code == 400


def test_a_plan_in_preparation_is_changed_from_the_page(office_client, seed, demo_users):
    run_plan_import(read_upload(io.BytesIO(export_plan(seed["second"])[0]), "p.xlsx"),
                    user=demo_users["demo-joho"], code="draft", commit=True)
    draft = Plan.objects.get(code="draft")
    data, _ = export_plan(draft, "csv")
    text = data.decode("utf-8-sig").replace("ホームページ等による情報提供の拡充", "ホームページ等による情報発信の拡充")
    upload(office_client, text.encode("cp932"), name="tree.csv", plan_code="draft")
    preview = office_client.get(PREVIEW)
    assert "策定中の計画「第二期昭島市情報化推進計画」(計画コード draft)を、ファイルのとおりに変更します" in preview.text
    assert "名称の変更" in preview.text and "変わる内容(1 件)" in preview.text
    token = office_client.session["exchange_plan_upload"]["token"]
    office_client.post(PREVIEW, {"token": token, "digest": preview.context["outcome"].digest})
    assert PlanItem.objects.get(plan=draft, code="Ⅰ-1-1").title == "ホームページ等による情報発信の拡充"


# ─── LibreOffice ─────────────────────────────────────────────────────────────

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def convert(path, target, tmp_path, infilter=None):
    command = [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile"]
    if infilter:
        command.append(f"--infilter={infilter}")
    subprocess.run([*command, "--convert-to", target, "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=120)
    return (tmp_path / "out" / path.with_suffix("." + target.split(":")[0]).name).read_bytes()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_file_saved_again_by_libreoffice_imports_unchanged(seed, demo_users, tmp_path):
    office = demo_users["demo-joho"]
    data, _ = export_plan(seed["second"])
    source = tmp_path / "plan.xlsx"
    source.write_bytes(data)
    (tmp_path / "out").mkdir()
    saved = convert(source, "xlsx", tmp_path)
    outcome = run_plan_import(read_upload(io.BytesIO(saved), "plan.xlsx"), user=office, code="lo", commit=True)
    assert outcome.errors == [] and outcome.applied
    draft = Plan.objects.get(code="lo")
    tree = tmp_path / "tree.csv"
    tree.write_bytes(export_plan(draft, "csv")[0])
    sjis = convert(tree, "csv:Text - txt - csv (StarCalc):44,34,SJIS", tmp_path, infilter="CSV:44,34,76")
    outcome = run_plan_import(read_upload(io.BytesIO(sjis), "tree.csv"), user=office, code="lo", commit=False)
    assert outcome.errors == [] and outcome.changes == []
