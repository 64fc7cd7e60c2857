"""Follow-ups from a visit, in the visit's transaction: a warning for the district's queue, needs
for services, an application opened on the household's behalf (channel ``staff``)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.models.application import Application
from app.models.visit import Visit, VisitNeed
from app.models.warning import EarlyWarning
from tests.helpers import login_staff
from tests.households.helpers import GUANGHUA, count_rows, district
from tests.visits.helpers import due, old_household, record, visit_body


async def test_a_visit_raises_a_warning_records_needs_and_opens_an_application(
    client: httpx.AsyncClient,
) -> None:
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    officer = await district(client)
    household = await old_household(client, worker, days=30)
    visit = await record(
        client,
        worker,
        household["id"],
        checklist={"food": "urgent", "health": "concern", "housing": "ok"},
        follow_ups={
            "warning": {"level": "orange", "summary": "冰箱空，老人两天未进食"},
            "needs": [
                {"need_type": "care", "detail": "需要助餐服务"},
                {"need_type": "medical", "detail": "需要陪同就医"},
            ],
            "application": {
                "help_types": ["basic_living", "care"],
                "description": "独居老人生活困难",
                "consent": True,
            },
        },
    )
    assert visit["warning_id"] and visit["application_id"] and len(visit["need_ids"]) == 2

    # The district sees the warning in its queue, about this household, with the visit as evidence.
    queue = (await client.get("/staff/warnings", headers=officer)).json()["items"]
    (warning,) = [w for w in queue if w["id"] == visit["warning_id"]]
    assert (warning["rule"], warning["level"], warning["status"]) == (
        "visit_concern",
        "orange",
        "open",
    )
    assert warning["household_id"] == household["id"]
    assert warning["rule_name"] == "入户走访发现异常"
    detail = (await client.get(f"/staff/warnings/{warning['id']}", headers=officer)).json()
    assert detail["evidence"][0]["source"] == "visit"
    assert detail["evidence"][0]["value"] == "food,health"
    # The worklist counts it among the household's open warnings.
    page = await due(client, worker)
    (item,) = [i for i in page["items"] if i["household_id"] == household["id"]]
    assert item["open_warnings"] == 1

    # The application: entered by staff for the household's head.
    case = (
        await client.get(f"/staff/applications/{visit['application_id']}", headers=officer)
    ).json()
    assert case["channel"] == "staff"
    assert case["subject"]["name"] == household["members"][0]["name"]
    assert f"走访记录 {visit['id']}" in case["description"]

    # Needs are stored encrypted.
    from app.db.session import session_scope

    async with session_scope() as session:
        needs = list(await session.scalars(select(VisitNeed).order_by(VisitNeed.id)))
    assert [n.need_type for n in needs] == ["care", "medical"]
    assert all("助餐" not in n.detail_enc and "就医" not in n.detail_enc for n in needs)
    listed = (
        await client.get(f"/staff/households/{household['id']}/visits", headers=worker)
    ).json()["items"]
    assert listed[0]["need_ids"] == visit["need_ids"]

    # A second concern while the first is open joins it (one open warning per household).
    again = await record(
        client,
        worker,
        household["id"],
        follow_ups={"warning": {"level": "red", "summary": "情况恶化"}},
    )
    assert again["warning_id"] == visit["warning_id"]
    assert await count_rows(EarlyWarning) == 1
    detail = (await client.get(f"/staff/warnings/{warning['id']}", headers=officer)).json()
    assert detail["level"] == "red" and len(detail["evidence"]) == 2


async def test_follow_ups_fail_together_with_the_visit(client: httpx.AsyncClient) -> None:
    worker = await login_staff(client, "guanghua", "community_worker", GUANGHUA)
    household = await old_household(client, worker, days=30)
    url = f"/staff/households/{household['id']}/visits"
    for bad in (
        {"warning": {"level": "purple", "summary": "x"}},
        {"warning": {"summary": ""}},
        {"needs": [{"need_type": "care"}]},
        {"application": {"help_types": ["care"], "consent": False}},
        {"application": {"help_types": [], "consent": True}},
        {"application": {"help_types": ["care"], "consent": True, "channel": "agency"}},
    ):
        response = await client.post(url, json=visit_body(follow_ups=bad), headers=worker)
        assert response.status_code == 422, bad
    # A follow-up that cannot be done (no member to apply for) undoes the visit and the
    # warning raised before it: all or nothing.
    from sqlalchemy import update

    from app.db.session import session_scope
    from app.models.household import HouseholdMember

    async with session_scope() as session:
        await session.execute(
            update(HouseholdMember)
            .where(HouseholdMember.household_id == household["id"])
            .values(active=False)
        )
    refused = await client.post(
        url,
        json=visit_body(
            follow_ups={
                "warning": {"summary": "需关注"},
                "needs": [{"need_type": "care", "detail": "助餐"}],
                "application": {"help_types": ["care"], "consent": True},
            }
        ),
        headers=worker,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "no_subject")
    assert await count_rows(Visit) == 0
    assert await count_rows(EarlyWarning) == 0
    assert await count_rows(VisitNeed) == 0
    assert await count_rows(Application) == 0
