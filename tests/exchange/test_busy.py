"""Confirming an import while another process holds the database's write lock: 503,
the message, the confirmation still offered, nothing written, the upload kept."""

import pytest
from django.urls import reverse

from projects.models import ScheduleEntry
from tests.busy import write_lock_held
from tests.exchange.conftest import SHIMIN_CODES, digest, edit_xlsx, template_bytes
from tests.exchange.conftest import post_file

MSG_BUSY = "ただいま混み合っています。入力内容は残っています。しばらくしてからもう一度保存してください。"

pytestmark = pytest.mark.django_db(transaction=True)


def test_confirm_while_the_database_is_locked_keeps_the_upload(staff_client, demo_users, plan, cycle,
                                                               settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = edit_xlsx(template_bytes(demo_users["demo-staff-a"], plan), "スケジュール",
                     {"事業コード": SHIMIN_CODES[0], "年度": "平成28年度(2016年度)"}, {"実績": "開始した"})
    assert post_file(staff_client, data).status_code == 302
    token = staff_client.session["exchange_upload"]["token"]
    before = digest()
    with write_lock_held():
        response = staff_client.post(reverse("exchange:import_preview"), {"token": token})
    assert response.status_code == 503
    page = response.content.decode()
    assert MSG_BUSY in page
    assert f'name="token" value="{token}"' in page and "この内容で取り込む" in page
    assert digest() == before
    assert staff_client.session["exchange_upload"]["token"] == token
    # The same button, once the lock is gone.
    assert staff_client.post(reverse("exchange:import_preview"), {"token": token}).status_code == 302
    assert ScheduleEntry.objects.get(sheet__project__code=SHIMIN_CODES[0], sheet__project__plan=plan,
                                     fiscal_year=2016).actual == "開始した"
