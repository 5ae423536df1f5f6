"""The summary tables reproduce the plan's own 表4-2, 4-3 and 4-4 (p.32-33)
when fed the counts printed there."""

from decimal import Decimal

import pytest

from governance.cycles.shares import shares, table
from governance.vocab import Direction, ImplementationStatus, Progress

# Written from the plan's text: (label, count, printed share).
TABLE_4_2 = [("完了", 4, "7.3"), ("継続", 47, "85.4"), ("見送り", 0, "0.0"), ("中止/廃止", 4, "7.3"),
             ("未実施", 0, "0.0")]
TABLE_4_3 = [("○ 計画どおり", 41, "74.6"), ("△ 計画を下回っている", 8, "14.5"), ("× 未実施", 0, "0.0"),
             ("- 評価対象外", 6, "10.9")]
TABLE_4_4 = [("完了", 2, "3.6"), ("継続", 45, "81.8"), ("中止/廃止", 3, "5.5"), ("未定", 5, "9.1")]


@pytest.mark.parametrize(
    ("vocabulary", "printed"),
    [(ImplementationStatus, TABLE_4_2), (Progress, TABLE_4_3), (Direction, TABLE_4_4)],
    ids=["表4-2 実施状況", "表4-3 進捗度", "表4-4 今後の方向性"],
)
def test_summary_table_reproduces_the_plans_table(vocabulary, printed):
    counts = {value: count for (value, _), (_, count, _) in zip(vocabulary.choices, printed)}
    rows = table(vocabulary, counts)
    assert [(row.label, row.count, str(row.share)) for row in rows] == printed
    assert sum(row.count for row in rows) == 55
    assert sum(row.share for row in rows) == Decimal("100.0")


@pytest.mark.parametrize(
    "counts",
    [[1, 1, 1], [2, 1], [1, 1, 1, 1, 1, 1, 1], [1, 0, 0], [333, 333, 334], [7, 11, 13, 17, 19], [1] * 46],
)
def test_shares_always_add_up_to_exactly_100(counts):
    result = shares(counts)
    assert sum(result) == Decimal("100.0")
    assert all(share == share.quantize(Decimal("0.1")) for share in result)
    # Each share is within a tenth of the exact value.
    total = sum(counts)
    assert all(abs(share - Decimal(c * 100) / total) < Decimal("0.1") for share, c in zip(result, counts))


def test_no_reports_means_no_shares():
    assert shares([0, 0, 0]) == [Decimal("0.0")] * 3
