"""An indicator's achievement rate, the one place it is computed, and the city's way of
writing it (one decimal, a fall written with 「△」: 「△18.0%」).

Two methods, chosen per indicator (projects.models.AchievementMethod):

- 目標値に対する割合 (ratio): 上向き actual ÷ target; 下向き (smaller is better)
  target ÷ actual, so that coming in under target is above 100%.
- 基準値からの進捗 (progress): the share of the planned improvement achieved,
  (actual − baseline) ÷ (target − baseline). Written with the direction, 上向き
  (actual − baseline) ÷ (target − baseline) and 下向き (baseline − actual) ÷
  (baseline − target), which is the same number: a move away from the target falls
  below 0 (△) whichever way the indicator improves.

A rate is met when it is 100% or more before rounding, the same test as the dashboard's
count in the database (governance.dashboard.facts).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATIO = "ratio"
PROGRESS = "progress"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Achievement:
    """A rate (percent, rounded to one decimal), whether it is met (unrounded ≥ 100%),
    and, when there is no rate, why (blank when there is simply no actual value)."""

    rate: Decimal | None
    met: bool | None = None
    reason: str = ""

    @property
    def text(self) -> str:
        return format_rate(self.rate) if self.rate is not None else self.reason


def _none(reason=""):
    return Achievement(None, None, f"算出不可({reason})" if reason else "")


def measure(actual, target, direction, method=RATIO, baseline=None) -> Achievement:
    """The achievement of one actual value against the year's target (see the module)."""
    if actual is None:
        return _none()
    if target is None:
        return _none("目標値が未設定")
    actual, target = Decimal(actual), Decimal(target)
    if method == PROGRESS:
        if baseline is None:
            return _none("基準値が未設定")
        baseline = Decimal(baseline)
        if target == baseline:
            return _none("目標値と基準値が同じ")
        if direction == "down":
            exact = (baseline - actual) / (baseline - target) * HUNDRED
        else:
            exact = (actual - baseline) / (target - baseline) * HUNDRED
    elif direction == "down":
        if actual == 0:
            return Achievement(Decimal("100.0"), True) if target == 0 else _none("実績値が0")
        exact = target / actual * HUNDRED
    else:
        if target == 0:
            return _none("目標値が0")
        exact = actual / target * HUNDRED
    return Achievement(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), exact >= HUNDRED)


def achievement(actual, target, direction, method=RATIO, baseline=None) -> Decimal | None:
    """The rate alone (percent, one decimal), or None when it cannot be computed."""
    return measure(actual, target, direction, method, baseline).rate


def of_indicator(indicator, actual, target) -> Achievement:
    """measure() with the indicator's direction, method and baseline (none for a
    qualitative indicator, whose result is words)."""
    if indicator.is_qualitative:
        return _none()
    return measure(actual, target, indicator.direction, indicator.achievement_method,
                   indicator.baseline_value)


def format_rate(rate) -> str:
    """「18.0%」, and a negative rate the city's way: 「△18.0%」 (blank for None)."""
    if rate is None:
        return ""
    rate = Decimal(rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"△{abs(rate)}%" if rate < 0 else f"{abs(rate)}%"
