"""Property: whatever a user types into the template's editable cells, the import
never fails with a server error and never writes part of a file: either every
row is applied, or the database is exactly as before."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from exchange import services
from exchange.files import FileRejected, read_upload
from tests.exchange.conftest import digest, template_bytes

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["継続", "○ 計画どおり", "完了", "はい", "いいえ", "平成29年度", "-1", "=1+1", "@x",
                     "1,200", "１２３", "NaN", "Infinity", "1e400", " ", "\t=cmd"]),
    st.integers(min_value=-10**16, max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
EDITABLE = {
    "実績報告": ["実施状況", "進捗度", "実施した内容", "今後の方向性", "版"],
    "指標の実績": ["実績値", "補足", "事業コード"],
    "スケジュール": ["予定", "実績", "年度"],
    "指標": ["種類", "基準値", "基準年度", "定性的な指標", "28年度目標値"],
}


@pytest.fixture
def template(demo_users, plan, cycle):
    return template_bytes(demo_users["demo-staff-a"], plan)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_cells_never_error_and_never_half_apply(demo_users, plan, template, data):
    user = demo_users["demo-staff-a"]
    book = load_workbook(io.BytesIO(template))
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        title = data.draw(st.sampled_from(sorted(EDITABLE)))
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        column = headers.index(data.draw(st.sampled_from(EDITABLE[title]))) + 1
        row = data.draw(st.integers(min_value=2, max_value=max(2, sheet.max_row)))
        value = data.draw(cells)
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t")
        if isinstance(value, float) and value != value:
            value = None
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    before = digest()
    try:
        upload = read_upload(io.BytesIO(out.getvalue()), "t.xlsx")
    except FileRejected:
        assert digest() == before
        return
    outcome = services.run_import(upload, user=user, plan=plan, commit=True)
    assert not [e for e in outcome.errors if "内部エラー" in e.message]
    if not outcome.applied:
        assert digest() == before
    else:
        assert outcome.errors == [] and outcome.changes
