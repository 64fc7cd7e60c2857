from __future__ import annotations

from datetime import date

import httpx

from app.kit.timeutil import local_today
from tests.helpers import login_staff
from tests.households.builders import Person, add_standard, insert_household

WENJIANG = "510115000000"
GUANGHUA = "510115001001"  # 光华社区, 柳城街道
ADULT = date(1980, 5, 1)


async def standards() -> None:
    await add_standard(WENJIANG, "dibao", "800.00", date(2021, 7, 1))
    await add_standard(WENJIANG, "dibao", "870.00", date(2022, 7, 1))
    await add_standard(WENJIANG, "edge_multiplier", "1.5", date(2022, 7, 1))
    await add_standard(WENJIANG, "tekun", "1131.00", date(2022, 7, 1))


async def check(
    client: httpx.AsyncClient, household_id: int, headers: dict[str, str], on: str = "2026-12-01"
) -> dict[str, object]:
    response = await client.get(
        f"/staff/households/{household_id}/eligibility", params={"on": on}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_income_exactly_at_the_standard_is_edge_not_dibao(
    client: httpx.AsyncClient,
) -> None:
    await standards()
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    alone = await insert_household(GUANGHUA, [Person("张三", ADULT, "870.00")])
    result = await check(client, alone, worker)
    assert result["standard"] == "870.00"
    assert result["income_per_head"] == "870.00"
    assert result["edge_threshold"] == "1305.00"
    assert result["qualifies"] == ["dibao_edge"]
    steps = result["steps"]
    assert isinstance(steps, list)
    assert any("等于标准" in s for s in steps)

    # 1,739.99 / 2 = 869.995, which rounds half-up to 870.00: not below the standard.
    pair = await insert_household(
        GUANGHUA,
        [Person("李四", ADULT, "1739.99"), Person("王五", ADULT, "0.00", relation="spouse")],
    )
    result = await check(client, pair, worker)
    assert result["income_per_head"] == "870.00"
    assert "dibao" not in result["qualifies"]  # type: ignore[operator]
    below = await insert_household(
        GUANGHUA,
        [Person("赵六", ADULT, "1739.98"), Person("钱七", ADULT, "0.00", relation="spouse")],
    )
    result = await check(client, below, worker)
    assert result["income_per_head"] == "869.99"
    assert result["qualifies"] == ["dibao"]


async def test_steps_read_out_the_calculation(client: httpx.AsyncClient) -> None:
    await standards()
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    household = await insert_household(
        GUANGHUA,
        [
            Person("孙一", ADULT, "1500.00"),
            Person("周二", ADULT, "300.00", relation="spouse"),
            Person("孙小三", date(2015, 3, 1), relation="child", work_capacity="none"),
        ],
        category="dibao",
    )
    result = await check(client, household, worker)
    assert result["members_counted"] == 3
    assert result["income_total"] == "1800.00"
    assert result["income_per_head"] == "600.00"
    assert result["qualifies"] == ["dibao"]
    assert result["current_category"] == "dibao"
    steps = result["steps"]
    assert isinstance(steps, list)
    text = "\n".join(steps)
    assert "计入家庭成员 3 人" in text
    assert "孙一 1,500.00 元" in text
    assert "1,800.00 元 ÷ 3 人 = 600.00 元" in text
    assert "低于标准" in text
    assert "870.00 元 × 1.5 = 1,305.00 元" in text
    assert "单人户" in text and "特困" in text


async def test_severely_disabled_member_may_be_enrolled_alone(client: httpx.AsyncClient) -> None:
    await standards()
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    household = await insert_household(
        GUANGHUA,
        [
            Person("吴大", ADULT, "4000.00"),
            Person("郑二", ADULT, "2000.00", relation="spouse"),
            Person(
                "吴小", date(2000, 1, 1), "0.00", relation="child",
                work_capacity="none", disability_grade=1,
            ),
        ],
    )  # fmt: skip
    result = await check(client, household, worker)
    assert result["income_per_head"] == "2000.00"
    assert result["qualifies"] == ["dibao", "other_special"]
    steps = result["steps"]
    assert isinstance(steps, list)
    assert any("可按单人户单独纳入低保" in s for s in steps)

    # A severely ill member earning at the standard cannot be enrolled alone.
    earning = await insert_household(
        GUANGHUA,
        [
            Person("冯大", ADULT, "4000.00"),
            Person("陈二", ADULT, "870.00", relation="spouse", severe_illness=True),
        ],
    )
    assert (await check(client, earning, worker))["qualifies"] == []


async def test_rigid_spending_tips_a_family_under_the_line(client: httpx.AsyncClient) -> None:
    await standards()
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    people = [
        Person("褚大", ADULT, "2000.00"),
        Person("卫二", ADULT, "1000.00", relation="spouse"),
        Person("褚三", date(2008, 1, 1), relation="child", work_capacity="partial"),
    ]
    without = await insert_household(
        GUANGHUA, [Person("褚一", ADULT, "2000.00"), Person("卫一", ADULT, "1000.00")]
    )
    result = await check(client, without, worker)
    assert result["income_per_head"] == "1500.00"
    assert result["qualifies"] == []

    household = await insert_household(GUANGHUA, people, medical="450.00", education="150.00")
    result = await check(client, household, worker)
    assert result["income_per_head"] == "1000.00"
    assert result["income_per_head_after_rigid_spending"] == "800.00"
    assert result["qualifies"] == ["expenditure_hardship", "dibao_edge"]


async def test_a_standard_changed_last_month(client: httpx.AsyncClient) -> None:
    await standards()
    today = local_today()
    first_of_month = today.replace(day=1)
    changed = (first_of_month.replace(day=1) - date.resolution).replace(day=1)
    await add_standard(WENJIANG, "dibao", "900.00", changed)
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    household = await insert_household(GUANGHUA, [Person("蒋一", ADULT, "880.00")])

    before = await check(client, household, worker, on=(changed - date.resolution).isoformat())
    assert before["standard"] == "870.00"
    assert before["qualifies"] == ["dibao_edge"]
    after = await check(client, household, worker, on=changed.isoformat())
    assert after["standard"] == "900.00"
    assert after["qualifies"] == ["dibao"]
    default = await client.get(f"/staff/households/{household}/eligibility", headers=worker)
    assert default.json()["on"] == today.isoformat()
    assert default.json()["standard"] == "900.00"
    earlier = await check(client, household, worker, on="2022-06-30")
    assert earlier["standard"] == "800.00"


async def test_a_street_standard_overrides_the_district(client: httpx.AsyncClient) -> None:
    await standards()
    await add_standard("510115001000", "dibao", "950.00", date(2023, 1, 1))
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    household = await insert_household(GUANGHUA, [Person("沈一", ADULT, "900.00")])
    result = await check(client, household, worker)
    assert result["standard"] == "950.00"
    assert result["edge_threshold"] == "1425.00"


async def test_tekun_and_who_counts(client: httpx.AsyncClient) -> None:
    await standards()
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    elderly = await insert_household(
        GUANGHUA, [Person("韩老", date(1950, 1, 1), work_capacity="none")], category="tekun"
    )
    result = await check(client, elderly, worker)
    assert result["qualifies"] == ["tekun", "dibao"]
    assert result["tekun_standard"] == "1131.00"

    # A working son is a supporter: not tekun. Once he has moved out, only the mother counts.
    mother = Person("杨母", date(1948, 1, 1), work_capacity="none")
    son = Person("杨子", ADULT, "3000.00", relation="child", removed=True)
    household = await insert_household(GUANGHUA, [mother, son], category="tekun")
    result = await check(client, household, worker)
    assert result["members_counted"] == 1
    assert result["qualifies"] == ["tekun", "dibao"]

    supported = await insert_household(
        GUANGHUA,
        [
            Person("朱母", date(1948, 1, 1), work_capacity="none"),
            Person("朱子", ADULT, "0.00", relation="child", work_capacity="full"),
        ],
    )
    assert (await check(client, supported, worker))["qualifies"] == ["dibao"]

    # Turning 60 on the day counts; the day before does not.
    turning = await insert_household(
        GUANGHUA, [Person("秦一", date(1966, 12, 1), work_capacity="none")]
    )
    assert "tekun" in (await check(client, turning, worker, on="2026-12-01"))["qualifies"]  # type: ignore[operator]
    assert "tekun" not in (await check(client, turning, worker, on="2026-11-30"))["qualifies"]  # type: ignore[operator]


async def test_jurisdiction_and_errors(client: httpx.AsyncClient) -> None:
    await standards()
    household = await insert_household(GUANGHUA, [Person("许一", ADULT, "500.00")])
    other = await login_staff(client, "gongping1", "street_officer", "510115002000")
    hidden = await client.get(f"/staff/households/{household}/eligibility", headers=other)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "household_not_found"
    worker = await login_staff(client, "worker1", "community_worker", GUANGHUA)
    missing = await client.get("/staff/households/999999/eligibility", headers=worker)
    assert missing.status_code == 404
    bad_date = await client.get(
        f"/staff/households/{household}/eligibility", params={"on": "2026-02-30"}, headers=worker
    )
    assert bad_date.status_code == 422
    no_standard = await client.get(
        f"/staff/households/{household}/eligibility", params={"on": "2020-01-01"}, headers=worker
    )
    assert no_standard.status_code == 409
    assert no_standard.json()["code"] == "standard_not_set"
    admin = await login_staff(client, "admin1", "admin", WENJIANG)
    refused = await client.get(f"/staff/households/{household}/eligibility", headers=admin)
    assert refused.status_code == 403
