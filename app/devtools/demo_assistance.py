"""Demo data for precision assistance: Wenjiang's 34 "micro-light" (微光) service projects and
the organizations that run them. Made-up names in the style of the real ones; safe to run twice
(nothing is added once an organization exists)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance.vocabulary import Group, ServiceType, mask_of
from app.models.assistance import Organization, Project
from app.regions.jurisdiction import subtree_bounds

DISTRICT = "510115000000"
STREETS = {
    "柳城": "510115001000",
    "公平": "510115002000",
    "天府": "510115003000",
    "永宁": "510115004000",
    "涌泉": "510115005000",
    "金马": "510115006000",
    "和盛": "510115007000",
    "寿安": "510115008000",
    "万春": "510115009000",
}

# name, kind, region
ORGANIZATIONS = (
    ("温江区微光社会工作服务中心", "social_organization", DISTRICT),
    ("温江区心语心理咨询服务中心", "social_organization", DISTRICT),
    ("温江区夕阳红居家养老服务中心", "social_organization", DISTRICT),
    ("温江区助残之家康复服务社", "social_organization", DISTRICT),
    ("温江区时间银行志愿服务总队", "volunteer_team", DISTRICT),
    ("温江区法律援助志愿者协会", "social_organization", DISTRICT),
    ("柳城街道社会工作服务站", "social_work_station", STREETS["柳城"]),
    ("公平街道社会工作服务站", "social_work_station", STREETS["公平"]),
    ("天府街道社会工作服务站", "social_work_station", STREETS["天府"]),
    ("和盛镇社会工作服务站", "social_work_station", STREETS["和盛"]),
    ("温江区成长课堂教育公益服务中心", "social_organization", DISTRICT),
    ("温江区爱心企业联合会", "enterprise", DISTRICT),
)

S = ServiceType
G = Group
# organization index, name, services, groups, categories, region, capacity
PROJECTS: tuple[tuple[int, str, list[S], list[G], list[str], str, int], ...] = (
    (0, "微光·困境儿童守护计划", [S.child_care], [G.children_in_difficulty], [], DISTRICT, 120),
    (
        0,
        "微光·留守儿童周末课堂",
        [S.child_care, S.tutoring],
        [G.left_behind_child],
        [],
        DISTRICT,
        80,
    ),
    (0, "微光·单亲家庭支持小组", [S.emotional_support], [G.single_parent], [], DISTRICT, 40),
    (1, "心语·重病家庭心理陪伴", [S.emotional_support], [G.severe_illness], [], DISTRICT, 60),
    (1, "心语·独居老人电话关怀", [S.emotional_support], [G.elderly_alone], [], DISTRICT, 150),
    (1, "心语·精神障碍家属喘息服务", [S.emotional_support], [G.mental_illness], [], DISTRICT, 30),
    (2, "夕阳红·特困老人居家照护", [S.elderly_care], [G.disabled_elderly], ["tekun"], DISTRICT, 90),
    (2, "夕阳红·助餐助浴上门服务", [S.elderly_care], [G.elderly_alone], [], DISTRICT, 120),
    (2, "夕阳红·失能老人就医陪护", [S.medical_escort], [G.disabled_elderly], [], DISTRICT, 50),
    (3, "助残之家·重度残疾人康复训练", [S.disabled_care], [G.severe_disability], [], DISTRICT, 60),
    (
        3,
        "助残之家·残疾人辅具适配",
        [S.disabled_care, S.material_help],
        [G.severe_disability],
        [],
        DISTRICT,
        100,
    ),
    (3, "助残之家·残疾人就业孵化", [S.job_help], [G.severe_disability], [], DISTRICT, 30),
    (
        4,
        "时间银行·邻里互助结对",
        [S.volunteering, S.elderly_care],
        [G.elderly_alone],
        [],
        DISTRICT,
        200,
    ),
    (4, "时间银行·健康促进讲座进社区", [S.volunteering], [], [], DISTRICT, 300),
    (
        4,
        "时间银行·大病患者陪诊志愿",
        [S.volunteering, S.medical_escort],
        [G.severe_illness],
        [],
        DISTRICT,
        80,
    ),
    (
        5,
        "法援进社区·困难群众法律咨询",
        [S.legal_aid],
        [],
        ["dibao", "tekun", "dibao_edge"],
        DISTRICT,
        150,
    ),
    (
        5,
        "法援进社区·未成年人权益保护",
        [S.legal_aid],
        [G.children_in_difficulty, G.orphan],
        [],
        DISTRICT,
        40,
    ),
    (
        6,
        "柳城·一老一小暖心驿站",
        [S.elderly_care, S.child_care],
        [G.elderly_alone, G.left_behind_child],
        [],
        STREETS["柳城"],
        60,
    ),
    (
        6,
        "柳城·低保家庭就业帮扶",
        [S.job_help],
        [G.unemployed],
        ["dibao", "dibao_edge"],
        STREETS["柳城"],
        40,
    ),
    (6, "柳城·光华社区四点半课堂", [S.tutoring], [], [], "510115001001", 30),
    (
        7,
        "公平·困境家庭个案管理",
        [S.emotional_support, S.material_help],
        [],
        ["dibao", "expenditure_hardship"],
        STREETS["公平"],
        35,
    ),
    (7, "公平·独居老人安全守护", [S.elderly_care], [G.elderly_alone], [], STREETS["公平"], 50),
    (
        8,
        "天府·新市民子女成长营",
        [S.child_care, S.tutoring],
        [G.left_behind_child],
        [],
        STREETS["天府"],
        45,
    ),
    (8, "天府·失业人员技能提升", [S.job_help], [G.unemployed], [], STREETS["天府"], 40),
    (
        9,
        "和盛·农村留守老人关爱",
        [S.elderly_care, S.emotional_support],
        [G.elderly_alone],
        [],
        STREETS["和盛"],
        60,
    ),
    (
        9,
        "和盛·乡村儿童之家",
        [S.child_care],
        [G.left_behind_child, G.children_in_difficulty],
        [],
        STREETS["和盛"],
        40,
    ),
    (
        10,
        "成长课堂·困境学生一对一辅导",
        [S.tutoring],
        [G.children_in_difficulty],
        [],
        DISTRICT,
        100,
    ),
    (10, "成长课堂·孤儿助学成长计划", [S.tutoring, S.material_help], [G.orphan], [], DISTRICT, 25),
    (
        10,
        "成长课堂·高考志愿与就业指导",
        [S.job_help, S.tutoring],
        [],
        ["dibao", "tekun", "dibao_edge"],
        DISTRICT,
        60,
    ),
    (11, "爱心企业·冬季温暖包", [S.material_help], [], ["dibao", "tekun"], DISTRICT, 500),
    (
        11,
        "爱心企业·大病家庭应急物资",
        [S.material_help],
        [G.severe_illness],
        ["expenditure_hardship"],
        DISTRICT,
        80,
    ),
    (11, "爱心企业·爱心岗位对接", [S.job_help], [G.unemployed], [], DISTRICT, 50),
    (4, "时间银行·寿安镇助老服务队", [S.volunteering, S.elderly_care], [], [], STREETS["寿安"], 40),
    (
        4,
        "时间银行·万春镇助残服务队",
        [S.volunteering, S.disabled_care],
        [G.severe_disability],
        [],
        STREETS["万春"],
        40,
    ),
)


def _depth(code: str) -> int:
    if code[9:] != "000":
        return 2
    return 1 if code[6:9] != "000" else 0


async def seed_assistance(session: AsyncSession) -> dict[str, int]:
    """The demo organizations and their 34 projects (none added when any organization exists)."""
    if await session.scalar(select(Organization.id).limit(1)) is not None:
        return {"organizations": 0, "projects": 0}
    organizations = []
    for index, (name, kind, region) in enumerate(ORGANIZATIONS):
        organization = Organization(
            name=name,
            kind=kind,
            region_code=region,
            contact_name="项目负责人",
            contact_phone=f"028-8260{index:04d}",
        )
        session.add(organization)
        organizations.append(organization)
    await session.flush()
    rows = []
    for org_index, name, services, groups, categories, region, capacity in PROJECTS:
        low, high = subtree_bounds(region)
        rows.append(
            {
                "organization_id": organizations[org_index].id,
                "name": name,
                "description": f"{ORGANIZATIONS[org_index][0]}承接的{name}项目",
                "service_mask": mask_of([s.value for s in services], ServiceType),
                "category_mask": mask_of(categories),
                "group_mask": mask_of([g.value for g in groups], Group),
                "region_code": region,
                "region_low": low,
                "region_high": high,
                "region_depth": _depth(region),
                "capacity": capacity,
                "in_use": 0,
                "starts_on": date(2026, 1, 1),
                "ends_on": date(2027, 12, 31),
                "contact_name": "项目社工",
                "contact_phone": "028-82600000",
                "version": 1,
            }
        )
    await session.execute(insert(Project), rows)
    return {"organizations": len(organizations), "projects": len(rows)}
