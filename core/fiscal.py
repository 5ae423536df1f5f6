"""Japanese fiscal years (年度), formatted and parsed in one place.

A fiscal year runs from April to March and is named by the era in force at the
end of its calendar year: FY2019 began under 平成 but is 令和元年度 by the
national convention. Plans keep the era they were written in, so the second
plan (2016) writes FY2020 as 「32年度」 and its input 「平成32年度」 means 2020.
"""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    first_year: int  # the Western year of the era's first (元) year


ERAS = (
    Era("昭和", 1926),
    Era("平成", 1989),
    Era("令和", 2019),
)
ERAS_BY_NAME = {era.name: era for era in ERAS}
ERA_INITIALS = {"S": "昭和", "H": "平成", "R": "令和"}
# Documents written before an era ended keep counting in it (the 2016 plan's
# 「平成32年度」 is FY2020), but not without limit: 「平成99年度」 is a typo.
ERA_GRACE_YEARS = 10


FIRST_YEAR, LAST_YEAR = 1926, 2200  # the years the application reads and writes


def _last_era_year(era: Era) -> int:
    later = [e.first_year for e in ERAS if e.first_year > era.first_year]
    return (min(later) - era.first_year + 1) if later else LAST_YEAR - era.first_year + 1


def era_of(fiscal_year: int) -> Era:
    """The era that names `fiscal_year` (the era in force at the end of its calendar year)."""
    for era in reversed(ERAS):
        if fiscal_year >= era.first_year:
            return era
    raise ValueError(f"{fiscal_year}年度は対応していない年です。")


# The days the eras began (a calendar date's era; fiscal years are named differently).
ERA_START_DAYS = {"昭和": (1926, 12, 25), "平成": (1989, 1, 8), "令和": (2019, 5, 1)}


def _era_of_day(day) -> Era:
    return next(e for e in reversed(ERAS) if (day.year, day.month, day.day) >= ERA_START_DAYS[e.name])


def month_label(day, *, western=True) -> str:
    """「令和3年(2021年)3月」: a date's month as the plan's title page prints it (「平成28年(2016年)5月」);
    without the Western year, 「令和3年3月」."""
    era = _era_of_day(day)
    year = f"({day.year}年)" if western else ""
    return f"{era.name}{_era_year_label(day.year - era.first_year + 1)}年{year}{day.month}月"


def day_label(day, *, western=True) -> str:
    """「令和3年(2021年)3月25日」: a date as the city writes it; 「令和3年3月25日」 where space is short."""
    return f"{month_label(day, western=western)}{day.day}日"


def fiscal_year_of(day) -> int:
    """The fiscal year a date falls in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year() -> int:
    from django.utils import timezone

    return fiscal_year_of(timezone.localdate())


def _naming_era(fiscal_year: int, era: Era | None) -> Era:
    """`era` (a plan's era) when it can name the year — from its first year to the grace
    years after its end, as parse_fiscal_year reads it back — else the era in force."""
    if era is None or not 1 <= fiscal_year - era.first_year + 1 <= _last_era_year(era) + ERA_GRACE_YEARS:
        return era_of(fiscal_year)
    return era


def era_year(fiscal_year: int, era: Era | None = None) -> int:
    era = _naming_era(fiscal_year, era)
    return fiscal_year - era.first_year + 1


def _era_year_label(number: int) -> str:
    return "元" if number == 1 else str(number)


def fy_era(fiscal_year: int, era: Era | None = None) -> str:
    """「令和元年度」: the era form alone."""
    era = _naming_era(fiscal_year, era)
    return f"{era.name}{_era_year_label(era_year(fiscal_year, era))}年度"


def fy_label(fiscal_year: int, era: Era | None = None) -> str:
    """「平成28年度(2016年度)」: the long form the plan prints."""
    return f"{fy_era(fiscal_year, era)}({fiscal_year}年度)"


def fy_short(fiscal_year: int, era: Era | None = None) -> str:
    """「28年度」: the short form of a table column, in `era` when given (a plan's era)."""
    return f"{_era_year_label(era_year(fiscal_year, era))}年度"


def fy_range(first: int, last: int | None, era: Era | None = None) -> str:
    """「平成28年度(2016年度)〜令和2年度(2020年度)」; an open end is 「〜」."""
    start = fy_label(first, era)
    return f"{start}〜" if last is None else f"{start}〜{fy_label(last, era)}"


def fy_span(first: int, last: int) -> str:
    """「平成28〜29年度」: consecutive years as a title writes them (one era named once);
    across a change of era both are named: 「平成30年度〜令和元年度」."""
    if first == last:
        return fy_era(first)
    if era_of(first) == era_of(last):
        return f"{era_of(first).name}{_era_year_label(era_year(first))}〜{_era_year_label(era_year(last))}年度"
    return f"{fy_era(first)}〜{fy_era(last)}"


_PATTERN = re.compile(
    r"^(?:(?P<era>昭和|平成|令和|[SHR])\s*(?P<era_year>元|\d{1,3})|(?P<western>\d{4}))"
    r"\s*(?:年度|年)?(?:\s*\(\s*(?P<check>\d{4})\s*(?:年度|年)?\s*\))?$"
)


def parse_fiscal_year(text: str) -> int:
    """Read a fiscal year as people write it: 「平成32年度」, 「令和元年度」, 「2020」, 「H32」.

    Raises ValueError with a Japanese message for anything else.
    """
    normalised = unicodedata.normalize("NFKC", str(text)).strip().upper()
    normalised = normalised.replace("(", "(").replace(")", ")")
    match = _PATTERN.match(normalised)
    if not match:
        raise ValueError(f"「{text}」は年度として読めません。例:令和2年度、平成32年度、2020")
    if match["western"]:
        year = int(match["western"])
    else:
        era = ERAS_BY_NAME[ERA_INITIALS.get(match["era"], match["era"])]
        number = 1 if match["era_year"] == "元" else int(match["era_year"])
        if number < 1 or number > _last_era_year(era) + ERA_GRACE_YEARS:
            raise ValueError(f"「{text}」は年度として読めません({era.name}にその年はありません)。")
        year = era.first_year + number - 1
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"「{text}」は対応している年度の範囲外です。")
    if match["check"] and int(match["check"]) != year:
        raise ValueError(f"「{text}」の和暦と西暦が一致しません。")
    return year
