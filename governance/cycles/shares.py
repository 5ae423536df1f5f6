"""Summary tables as the plan prints them (表4-2, 4-3, 4-4): counts with shares to
one decimal that add up to exactly 100.0%.

Shares are rounded by the largest-remainder method, which is how the plan's own
tables come out (e.g. 4, 47, 0, 4 of 55 → 7.3, 85.4, 0.0, 7.3).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    share: Decimal  # percent, one decimal


def shares(counts: list[int]) -> list[Decimal]:
    """Percentages to one decimal, summing to exactly 100.0 (or all 0.0 when empty)."""
    total = sum(counts)
    if total == 0:
        return [Decimal("0.0") for _ in counts]
    tenths = [count * 1000 for count in counts]  # in thousandths of the total
    floors = [value // total for value in tenths]
    remainders = [value % total for value in tenths]
    missing = 1000 - sum(floors)
    # Largest remainder first; on a tie the larger count gets the tenth.
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return [(Decimal(value) / 10).quantize(Decimal("0.1")) for value in floors]


def table(choices, counts: dict) -> list[Row]:
    """One row per choice of a vocabulary, in its order, with count and share."""
    values = [counts.get(value, 0) for value, _ in choices.choices]
    return [
        Row(value, label, count, share)
        for (value, label), count, share in zip(choices.choices, values, shares(values))
    ]
