"""The monitoring categories, spelled once: the registry owns them; intake, eligibility, the
export and the generators import them from here."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    dibao = "dibao"  # 低保
    tekun = "tekun"  # 特困
    dibao_edge = "dibao_edge"  # 低保边缘
    expenditure_hardship = "expenditure_hardship"  # 刚性支出困难
    other_special = "other_special"  # 其他特殊困难


CATEGORY_NAMES: dict[str, str] = {
    Category.tekun: "特困人员",
    Category.dibao: "低保",
    Category.expenditure_hardship: "刚性支出困难家庭",
    Category.dibao_edge: "低保边缘家庭",
    Category.other_special: "其他特殊困难",
}


class CareArrangement(StrEnum):
    """How a tekun person is supported (特困人员供养方式)."""

    dispersed = "dispersed"  # 分散供养
    centralized = "centralized"  # 集中供养


CARE_NAMES: dict[str, str] = {
    CareArrangement.dispersed: "分散供养",
    CareArrangement.centralized: "集中供养",
}

PREFERENCE = (
    Category.tekun,
    Category.dibao,
    Category.expenditure_hardship,
    Category.dibao_edge,
    Category.other_special,
)
"""The order in which eligibility lists the categories a household qualifies for."""
