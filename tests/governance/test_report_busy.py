"""A report saved while another process holds the database's write lock: 503, the
Japanese message, the report's own form with what was typed, nothing written."""

import pytest

from governance.models import AnnualReport
from tests.busy import write_lock_held
from tests.governance.conftest import report_form_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_report_save_while_the_database_is_locked_keeps_the_typed_text(staff_client, shimin_report):
    url = f"/reports/{shimin_report.pk}/edit/"
    typed = "コンビニ収納の周知を<広報>で行った"
    data = report_form_data(staff_client, shimin_report, **{"report-work_done": typed})
    with write_lock_held():
        response = staff_client.post(url, data)
    assert response.status_code == 503
    page = response.content.decode()
    assert "ただいま混み合っています。入力内容は残っています。" in page
    # The report's own form, editable, with the typed text (escaped), not the generic busy page.
    assert '<textarea name="report-work_done"' in page and "コンビニ収納の周知を&lt;広報&gt;で行った" in page
    assert "もう一度保存する" not in page
    stored = AnnualReport.objects.get(pk=shimin_report.pk)
    assert (stored.version, stored.work_done) == (shimin_report.version, shimin_report.work_done)
    # Posted again once the lock is gone: saved.
    assert staff_client.post(url, data).status_code == 302
    assert AnnualReport.objects.get(pk=shimin_report.pk).work_done == typed
