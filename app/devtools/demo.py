"""Demo data for ``seed-demo``: Wenjiang's region tree, staff accounts, a few applications, the
monitoring registry (standards and about 24,000 monitored people), past visits, and the 34
service projects of precision assistance with their organizations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.passwords import DEMO_PASSWORD
from app.devtools.demo_assistance import seed_assistance
from app.devtools.demo_registry import seed_registry
from app.devtools.demo_visits import seed_visits
from app.intake import creation as intake
from app.intake.schemas import ApplicationCreate
from app.kit.actor import Actor
from app.kit.idnumber import make_id_number
from app.models.account import Resident, Staff
from app.models.application import Application
from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

DEMO_STAFF = (
    ("district", "district_officer", "510115000000", "区民政局 王科长"),
    ("auditor", "auditor", "510115000000", "审计 李审计"),
    ("admin", "admin", "510115000000", "系统管理员"),
    ("liucheng", "street_officer", "510115001000", "柳城街道 张主任"),
    ("gongping", "street_officer", "510115002000", "公平街道 刘主任"),
    ("guanghua", "community_worker", "510115001001", "光华社区 陈社工"),
    ("liucheng_station", "social_worker", "510115001000", "柳城社工站"),
)

DEMO_APPLICATIONS = (
    (
        "王秀英",
        date(1952, 3, 14),
        "510115001001",
        ["basic_living", "medical"],
        "独居老人，慢性病，需要生活和医疗帮助",
    ),
    ("李建国", date(1978, 8, 2), "510115001002", ["emergency"], "家中失火，急需临时救助"),
    ("赵小明", date(2009, 5, 20), "510115002001", ["education"], "父母重病，学费困难"),
)


async def seed_demo(session: AsyncSession) -> dict[str, int]:
    """Load demo data; safe to run twice (what exists is left as it is)."""
    regions = await import_regions(session, parse_regions_csv(BUILTIN_CSV))
    created_staff = 0
    for username, role, region, name in DEMO_STAFF:
        if await session.scalar(select(Staff.id).where(Staff.username == username)) is None:
            await accounts.create_staff(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                region_code=region,
                display_name=name,
            )
            created_staff += 1
    created_applications = 0
    if await session.scalar(select(Application.id).limit(1)) is None:
        resident = await session.scalar(select(Resident).where(Resident.openid == "fake-demo"))
        if resident is None:
            resident = Resident(openid="fake-demo")
            session.add(resident)
            await session.flush()
        actor = Actor("resident", resident.id, "resident", client="seed")
        for index, (name, born, region, helps, text) in enumerate(DEMO_APPLICATIONS):
            body = ApplicationCreate.model_validate(
                {
                    "relation": "self",
                    "subject": {
                        "name": name,
                        "id_number": make_id_number("510115", born, 100 + index),
                        "phone": f"1380000{index:04d}",
                        "region_code": region,
                        "address": "温江区演示地址",
                    },
                    "help_types": helps,
                    "description": text,
                    "consent": True,
                }
            )
            await intake.submit(session, actor, body)
            created_applications += 1
    registry = await seed_registry(session)
    visits = await seed_visits(session)
    assistance = await seed_assistance(session)
    return {
        "regions": regions,
        "staff": created_staff,
        "applications": created_applications,
        "standards": registry["standards"],
        "households": registry["households"],
        "monitored_people": registry["people"],
        "visits": visits,
        "organizations": assistance["organizations"],
        "projects": assistance["projects"],
    }
