"""How a project fits a need, in plain Python: the readable twin of the matching SQL
(:mod:`app.assistance.matching.repository`), and the words that explain a score. A test checks
that the two agree on random data (tests/assistance/test_matching.py).

A project is a candidate for an open need when it offers the service type, serves the
household's region (its subtree contains it), has a place left (``in_use < capacity``) and runs
on the day. Its score, out of 100:

- service type offered: 35
- area: 20 when the project is the household's own community, 5 fewer per level up the region
  tree (street 15, district 10), never below 0
- target category: 15 when the household's category is targeted, 5 when the project targets
  every category, 0 otherwise
- target group: 15 when the project targets a group the household's members belong to
- key target (重点对象): 5
- remaining capacity: ``10 * remaining // capacity`` (integer division)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.assistance.vocabulary import (
    CATEGORY_LABELS,
    GROUP_LABELS,
    SERVICE_LABELS,
    Group,
    ServiceType,
    category_bit,
    groups_of,
)
from app.regions.jurisdiction import covers

SERVICE_POINTS = 35
AREA_POINTS = 20
AREA_STEP = 5
CATEGORY_POINTS = 15
ANY_CATEGORY_POINTS = 5
GROUP_POINTS = 15
KEY_POINTS = 5
CAPACITY_POINTS = 10


def household_depth(region_code: str) -> int:
    """2 for a community or village, 1 for a street or town, 0 for the district."""
    if region_code[9:] != "000":
        return 2
    if region_code[6:9] != "000":
        return 1
    return 0


@dataclass(frozen=True)
class Fit:
    """What a score is made of; :func:`reasons` puts it in words."""

    service_type: str
    distance: int
    category: str | None
    category_mask: int
    group_hit: int
    key_target: bool
    remaining: int
    capacity: int

    @property
    def area_points(self) -> int:
        return max(0, AREA_POINTS - AREA_STEP * self.distance)

    @property
    def category_points(self) -> int:
        if self.category_mask == 0:
            return ANY_CATEGORY_POINTS
        return CATEGORY_POINTS if self.category_mask & category_bit(self.category) else 0

    @property
    def score(self) -> int:
        return (
            SERVICE_POINTS
            + self.area_points
            + self.category_points
            + (GROUP_POINTS if self.group_hit else 0)
            + (KEY_POINTS if self.key_target else 0)
            + CAPACITY_POINTS * self.remaining // self.capacity
        )


@dataclass(frozen=True)
class NeedFacts:
    need_id: int
    service_bit: int
    service_type: str
    region_code: str  # the household's
    category: str | None
    group_mask: int
    key_target: bool


@dataclass(frozen=True)
class ProjectFacts:
    project_id: int
    service_mask: int
    category_mask: int
    group_mask: int
    region_code: str
    region_depth: int
    capacity: int
    in_use: int
    starts_on: date
    ends_on: date | None


def fit(need: NeedFacts, project: ProjectFacts, on: date) -> Fit | None:
    """The fit of one project to one open need on a day; None when it is no candidate."""
    if not need.service_bit & project.service_mask:
        return None
    if not covers(project.region_code, need.region_code):
        return None
    if project.in_use >= project.capacity:
        return None  # full: never proposed
    if project.starts_on > on or (project.ends_on is not None and project.ends_on < on):
        return None
    return Fit(
        service_type=need.service_type,
        distance=household_depth(need.region_code) - project.region_depth,
        category=need.category,
        category_mask=project.category_mask,
        group_hit=need.group_mask & project.group_mask,
        key_target=need.key_target,
        remaining=project.capacity - project.in_use,
        capacity=project.capacity,
    )


AREA_WORDS = {
    0: "服务区域就是本社区（村）",
    1: "服务区域覆盖本街道（镇）",
    2: "服务范围覆盖全区",
}


def reasons(f: Fit) -> list[str]:
    """The score in words, one phrase per part."""
    words = [f"提供所需的{SERVICE_LABELS[ServiceType(f.service_type)]}服务"]
    words.append(AREA_WORDS.get(f.distance, f"服务区域包含本户（相隔 {f.distance} 级）"))
    if f.category_mask == 0:
        words.append("不限救助类别")
    elif f.category_points:
        words.append(f"面向{CATEGORY_LABELS[f.category or '']}对象")
    else:
        words.append("本户类别不在项目重点对象之内")
    if f.group_hit:
        names = "、".join(GROUP_LABELS[Group(g)] for g in groups_of(f.group_hit))
        words.append(f"服务对象包括{names}")
    if f.key_target:
        words.append("本户为重点对象，优先安排")
    words.append(f"尚余 {f.remaining} 个名额（共 {f.capacity} 个）")
    return words
