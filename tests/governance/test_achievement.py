"""The two achievement methods and the city's notation, by hand (governance.achievement)."""

from decimal import Decimal

import pytest

from governance.achievement import PROGRESS, RATIO, format_rate, measure

# ─── 基準値からの進捗: (実績 − 基準) ÷ (目標 − 基準) ─────────────────────────

@pytest.mark.parametrize(("actual", "target", "baseline", "direction", "expected", "met"), [
    # 上向き, baseline below target
    (70, 100, 50, "up", "40.0", False),      # 20 / 50
    (100, 100, 50, "up", "100.0", True),     # 50 / 50
    (110, 100, 50, "up", "120.0", True),     # 60 / 50
    (50, 100, 50, "up", "0.0", False),       # no move from the baseline
    (41, 100, 50, "up", "-18.0", False),     # −9 / 50: fell below the baseline
    (1, 3, 0, "up", "33.3", False),          # 33.333…
    (2, 3, 0, "up", "66.7", False),          # 66.666… rounds half up
    # 下向き, baseline above target (fewer is better)
    (80, 50, 100, "down", "40.0", False),    # (100 − 80) / (100 − 50) = 20 / 50
    (50, 50, 100, "down", "100.0", True),    # 50 / 50
    (40, 50, 100, "down", "120.0", True),    # 60 / 50
    (109, 50, 100, "down", "-18.0", False),  # (100 − 109) / 50 = −9 / 50 → △18.0%
    ("62.5", 50, 100, "down", "75.0", False),  # 37.5 / 50
])
def test_progress_from_the_baseline_by_hand(actual, target, baseline, direction, expected, met):
    result = measure(actual, target, direction, PROGRESS, baseline)
    assert str(result.rate) == expected
    assert result.met is met


def test_progress_when_the_target_equals_the_baseline_cannot_be_computed():
    result = measure(120, 100, "up", PROGRESS, 100)
    assert result.rate is None
    assert result.met is None
    assert result.text == "算出不可(目標値と基準値が同じ)"


def test_progress_without_a_baseline_cannot_be_computed():
    assert measure(120, 100, "up", PROGRESS, None).text == "算出不可(基準値が未設定)"


def test_no_actual_value_is_blank_and_no_target_is_said():
    assert measure(None, 100, "up", PROGRESS, 50).text == ""
    assert measure(None, 100, "up", RATIO).text == ""
    assert measure(80, None, "up", RATIO).text == "算出不可(目標値が未設定)"


def test_the_methods_differ_on_the_same_figures():
    # baseline 50, target 100, actual 70: 70 / 100 = 70.0% of the target, 20 / 50 = 40.0% of the way.
    assert measure(70, 100, "up", RATIO, 50).rate == Decimal("70.0")
    assert measure(70, 100, "up", PROGRESS, 50).rate == Decimal("40.0")
    # 下向き: 80 against 50, from 100: 50 / 80 = 62.5% as a ratio, 20 / 50 = 40.0% as progress.
    assert measure(80, 50, "down", RATIO, 100).rate == Decimal("62.5")
    assert measure(80, 50, "down", PROGRESS, 100).rate == Decimal("40.0")


@pytest.mark.parametrize(("actual", "target", "direction", "expected", "met"), [
    (950, 1000, "up", "95.0", False),
    (1000, 1000, "up", "100.0", True),
    (80, 100, "down", "125.0", True),
    (130, 100, "down", "76.9", False),
    (9999, 10000, "up", "100.0", False),  # 99.99 rounds to 100.0 but is not reached
])
def test_ratio_rate_and_met(actual, target, direction, expected, met):
    result = measure(actual, target, direction, RATIO)
    assert str(result.rate) == expected
    assert result.met is met


@pytest.mark.parametrize(("actual", "target", "direction", "text"), [
    (5, 0, "up", "算出不可(目標値が0)"),
    (0, 5, "down", "算出不可(実績値が0)"),
])
def test_ratio_cannot_be_computed_says_why(actual, target, direction, text):
    assert measure(actual, target, direction, RATIO).text == text


# ─── The city's notation ──────────────────────────────────────────────────

@pytest.mark.parametrize(("rate", "text"), [
    (Decimal("-18.0"), "△18.0%"),
    (Decimal(-18), "△18.0%"),
    (Decimal("-0.25"), "△0.3%"),     # half up, away from zero
    (Decimal("-0.04"), "0.0%"),      # rounds to nothing: no 「△」 and no minus
    (Decimal(0), "0.0%"),
    (Decimal(95), "95.0%"),
    (Decimal("120.05"), "120.1%"),
    (None, ""),
])
def test_format_rate(rate, text):
    assert format_rate(rate) == text


def test_a_negative_progress_is_printed_with_the_triangle():
    assert measure(109, 50, "down", PROGRESS, 100).text == "△18.0%"
    assert measure(41, 100, "up", PROGRESS, 50).text == "△18.0%"


def test_an_indicator_gives_its_own_method_and_baseline_and_a_qualitative_one_no_rate():
    from types import SimpleNamespace

    from governance.achievement import of_indicator

    down = SimpleNamespace(direction="down", achievement_method=PROGRESS, baseline_value=Decimal(100),
                           is_qualitative=False)
    assert of_indicator(down, 109, 50).text == "△18.0%"
    words = SimpleNamespace(direction="up", achievement_method=RATIO, baseline_value=None, is_qualitative=True)
    assert of_indicator(words, 5, 10).text == ""
