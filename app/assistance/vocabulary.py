"""The fixed vocabularies of assistance, each word with its Chinese label and a bit: service
types, target categories and groups (tags on members). Masks make matching integer arithmetic in
SQL (``mask & bit``) and in Python alike."""

from __future__ import annotations

from enum import StrEnum


class ServiceType(StrEnum):
    elderly_care = "elderly_care"
    disabled_care = "disabled_care"
    child_care = "child_care"
    emotional_support = "emotional_support"
    medical_escort = "medical_escort"
    tutoring = "tutoring"
    job_help = "job_help"
    legal_aid = "legal_aid"
    material_help = "material_help"
    volunteering = "volunteering"


SERVICE_LABELS: dict[ServiceType, str] = {
    ServiceType.elderly_care: "养老照护",
    ServiceType.disabled_care: "助残服务",
    ServiceType.child_care: "儿童关爱",
    ServiceType.emotional_support: "心理疏导与情感支持",
    ServiceType.medical_escort: "就医陪护",
    ServiceType.tutoring: "课业辅导",
    ServiceType.job_help: "就业帮扶",
    ServiceType.legal_aid: "法律援助",
    ServiceType.material_help: "物资帮扶",
    ServiceType.volunteering: "志愿服务（时间银行）",
}


class Group(StrEnum):
    children_in_difficulty = "children_in_difficulty"
    left_behind_child = "left_behind_child"
    elderly_alone = "elderly_alone"
    disabled_elderly = "disabled_elderly"
    severe_disability = "severe_disability"
    severe_illness = "severe_illness"
    single_parent = "single_parent"
    unemployed = "unemployed"
    orphan = "orphan"
    mental_illness = "mental_illness"


GROUP_LABELS: dict[Group, str] = {
    Group.children_in_difficulty: "困境儿童",
    Group.left_behind_child: "留守儿童",
    Group.elderly_alone: "独居老人",
    Group.disabled_elderly: "失能老人",
    Group.severe_disability: "重度残疾",
    Group.severe_illness: "大病",
    Group.single_parent: "单亲家庭",
    Group.unemployed: "失业人员",
    Group.orphan: "孤儿",
    Group.mental_illness: "精神障碍",
}

# The categories of monitored households (app/households/categories/vocabulary.py), in bit order.
CATEGORIES: tuple[str, ...] = (
    "dibao",
    "tekun",
    "dibao_edge",
    "expenditure_hardship",
    "other_special",
)
CATEGORY_LABELS: dict[str, str] = {
    "dibao": "低保",
    "tekun": "特困",
    "dibao_edge": "低保边缘",
    "expenditure_hardship": "支出型困难",
    "other_special": "其他特殊困难",
}

SERVICE_ORDER = list(ServiceType)
GROUP_ORDER = list(Group)
URGENCIES = ("high", "medium", "low")
URGENCY_RANK = {"high": 0, "medium": 1, "low": 2}


def service_bit(service: str) -> int:
    return 1 << SERVICE_ORDER.index(ServiceType(service))


def group_bit(group: str) -> int:
    return 1 << GROUP_ORDER.index(Group(group))


def category_bit(category: str | None) -> int:
    """The category's bit; 0 for a household in no category."""
    return 1 << CATEGORIES.index(category) if category in CATEGORIES else 0


def mask_of(words: list[str], bit: type[ServiceType] | type[Group] | None = None) -> int:
    """The mask of service types, groups or (``bit`` None) categories."""
    total = 0
    for word in words:
        if bit is ServiceType:
            total |= service_bit(word)
        elif bit is Group:
            total |= group_bit(word)
        else:
            total |= category_bit(word)
    return total


def services_of(mask: int) -> list[str]:
    return [s.value for i, s in enumerate(SERVICE_ORDER) if mask & (1 << i)]


def groups_of(mask: int) -> list[str]:
    return [g.value for i, g in enumerate(GROUP_ORDER) if mask & (1 << i)]


def categories_of(mask: int) -> list[str]:
    return [c for i, c in enumerate(CATEGORIES) if mask & (1 << i)]
