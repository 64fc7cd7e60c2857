"""The XLSX export: Chinese headers, masked IDs, the caller's jurisdiction, the filters."""

from __future__ import annotations

import io
import re

import httpx
from openpyxl import load_workbook

from tests.helpers import id_number, login_staff
from tests.households.helpers import (
    GONGPING,
    GONGPING_COMMUNITY,
    audit_actions,
    create_household,
    member,
    street,
)

HEADERS = [
    "户编号",
    "所属社区",
    "地址",
    "类别",
    "风险等级",
    "致困原因",
    "人数",
    "户主姓名",
    "户主身份证号",
    "状态",
    "更新时间",
]


def rows(response: httpx.Response) -> list[list[object]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def test_export_has_masked_ids_and_only_rows_in_scope(client: httpx.AsyncClient) -> None:
    mine = await street(client)
    people = [id_number(), id_number()]
    a = await create_household(
        client,
        mine,
        members=[member(name="周一", id_number=people[0])],
        causes=["illness", "old_age"],
        risk_level="high",
        risk_reason="独居",
    )
    b = await create_household(
        client,
        mine,
        address='=HYPERLINK("http://x")',
        members=[member(name="吴二", id_number=people[1])],
        causes=[],
        risk_level="low",
    )
    other = await login_staff(client, "gongping", "street_officer", GONGPING)
    outside = await create_household(client, other, region_code=GONGPING_COMMUNITY)

    response = await client.get("/staff/households/export.xlsx", headers=mine)
    table = rows(response)
    assert table[0] == HEADERS
    by_reference = {r[0]: r for r in table[1:]}
    assert set(by_reference) == {a["reference"], b["reference"]}
    assert outside["reference"] not in by_reference
    row_a = by_reference[a["reference"]]
    assert row_a[1:3] == ["光华社区", "光华大道1号"]
    assert row_a[4:8] == ["高", "疾病、老年无依", 1, "周一"]
    assert re.match(r"^510115\*{8}\d{3}[\dX]$", str(row_a[8]))
    assert row_a[9] == "在册"
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", str(row_a[10]))
    assert by_reference[b["reference"]][2] == '=HYPERLINK("http://x")'
    # Kept as text: read back as a value it looks the same as a formula, so check the type.
    sheet = load_workbook(io.BytesIO(response.content)).active
    addresses = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert '=HYPERLINK("http://x")' in [c.value for c in addresses]
    assert {c.data_type for c in addresses} == {"s"}
    for person in people:
        assert person.encode() not in response.content
        assert all(person not in str(cell) for r in table for cell in r)

    filtered = rows(
        await client.get(
            "/staff/households/export.xlsx", params={"risk_level": "high"}, headers=mine
        )
    )
    assert [r[0] for r in filtered[1:]] == [a["reference"]]
    by_id = rows(
        await client.get("/staff/households/export.xlsx", params={"q": people[1]}, headers=mine)
    )
    assert [r[0] for r in by_id[1:]] == [b["reference"]]

    exports = await audit_detail("household.export")
    assert [e["rows"] for e in exports] == [2, 1, 1]
    assert exports[1]["filters"] == {"risk_level": "high"}
    assert people[1] not in str(exports[2]) and "********" in exports[2]["filters"]["q"]
    assert "household.export" not in await audit_actions(a["id"])


async def audit_detail(action: str) -> list[dict[str, object]]:
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.models.audit import AuditEvent

    async with session_scope() as session:
        events = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [dict(e.detail) for e in events]


async def test_export_needs_the_export_scope(client: httpx.AsyncClient) -> None:
    auditor = await login_staff(client, "auditor", "auditor", "510115000000")
    response = await client.get("/staff/households/export.xlsx", headers=auditor)
    assert response.status_code == 403
    assert (await client.get("/staff/households/export.xlsx")).status_code == 401
    bad = await client.get(
        "/staff/households/export.xlsx", params={"category": "rich"}, headers=await street(client)
    )
    assert bad.status_code == 422


async def test_empty_export_has_the_header_row(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    table = rows(await client.get("/staff/households/export.xlsx", headers=headers))
    assert table == [HEADERS]
