from __future__ import annotations

import random
from datetime import date

import httpx

from tests.helpers import login_staff
from tests.households.builders import Person, add_standard, insert_household

WENJIANG = "510115000000"
GUANGHUA = "510115001001"  # 柳城街道
NANJIANG = "510115001002"  # 柳城街道
GONGPING_COMMUNITY = "510115002001"  # 公平街道
ADULT = date(1980, 5, 1)
ON = "2026-12-01"


async def standards() -> None:
    await add_standard(WENJIANG, "dibao", "870.00", date(2022, 7, 1))
    await add_standard(WENJIANG, "edge_multiplier", "1.5", date(2022, 7, 1))


async def worklist(
    client: httpx.AsyncClient, headers: dict[str, str], **params: object
) -> list[dict[str, object]]:
    response = await client.get(
        "/staff/eligibility/mismatches", params={"on": ON, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_worklist_lists_what_no_longer_matches(client: httpx.AsyncClient) -> None:
    await standards()
    ok_dibao = await insert_household(GUANGHUA, [Person("甲", ADULT, "600.00")], category="dibao")
    richer = await insert_household(
        GUANGHUA,
        [Person("乙", ADULT, "1200.00"), Person("乙妻", ADULT, "800.00", relation="spouse")],
        category="dibao",
    )
    rich = await insert_household(GUANGHUA, [Person("丙", ADULT, "5000.00")], category="dibao")
    poorer_edge = await insert_household(
        NANJIANG, [Person("丁", ADULT, "500.00")], category="dibao_edge"
    )
    new = await insert_household(NANJIANG, [Person("戊", ADULT, "300.00")])
    tekun_earning = await insert_household(
        NANJIANG,
        [Person("己", date(1950, 1, 1), "1000.00", work_capacity="none")],
        category="tekun",
    )
    ok_tekun = await insert_household(
        NANJIANG, [Person("庚", date(1950, 1, 1), work_capacity="none")], category="tekun"
    )
    spending_gone = await insert_household(
        GUANGHUA, [Person("辛", ADULT, "2000.00")], category="expenditure_hardship"
    )
    ok_spending = await insert_household(
        GUANGHUA,
        [Person("壬", ADULT, "2000.00")],
        medical="1200.00",
        category="expenditure_hardship",
    )
    alone = await insert_household(
        GUANGHUA,
        [
            Person("癸", ADULT, "6000.00"),
            Person("癸子", ADULT, "0.00", relation="child", disability_grade=2),
        ],
        category="other_special",
    )
    no_longer_special = await insert_household(
        GUANGHUA, [Person("子", ADULT, "6000.00")], category="other_special"
    )
    exited = await insert_household(
        GUANGHUA, [Person("丑", ADULT, "9000.00")], category="dibao", status="exited"
    )
    nothing = await insert_household(GUANGHUA, [Person("寅", ADULT, "9000.00")])

    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    items = await worklist(client, district)
    found = {item["id"]: item for item in items}
    assert [item["id"] for item in items] == sorted(found, reverse=True)
    assert {k: v["suggested"] for k, v in found.items()} == {
        richer: "dibao_edge",
        rich: "exit",
        poorer_edge: "dibao",
        new: "dibao",
        tekun_earning: "dibao_edge",
        spending_gone: "exit",
        no_longer_special: "exit",
    }
    for absent in (ok_dibao, ok_tekun, ok_spending, alone, exited, nothing):
        assert absent not in found
    item = found[richer]
    assert item["current_category"] == item["category"] == "dibao"
    assert item["income_per_head"] == "1000.00"
    assert item["standard"] == "870.00"
    assert item["head"] == {"name": "乙", "id_number_masked": item["head"]["id_number_masked"]}  # type: ignore[index]
    assert str(item["head"]["id_number_masked"]).count("*") == 8  # type: ignore[index]
    assert item["region_name"] == "光华社区"
    assert item["members_count"] == 2
    assert "1,000.00 元" in str(item["reason"]) and "低保边缘" in str(item["reason"])
    assert "尚未认定" in str(found[new]["reason"])
    assert found[new]["current_category"] is None
    assert "特困人员应无收入" in str(found[tekun_earning]["reason"])

    exits = await worklist(client, district, suggested="exit")
    assert {i["id"] for i in exits} == {rich, spending_gone, no_longer_special}
    nanjiang = await worklist(client, district, region_code=NANJIANG)
    assert {i["id"] for i in nanjiang} == {poorer_edge, new, tekun_earning}

    first = await client.get(
        "/staff/eligibility/mismatches", params={"on": ON, "limit": 3}, headers=district
    )
    page = first.json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    second = await client.get(
        "/staff/eligibility/mismatches",
        params={"on": ON, "limit": 5, "cursor": page["next_cursor"]},
        headers=district,
    )
    rest = second.json()
    assert rest["next_cursor"] is None
    assert [i["id"] for i in page["items"] + rest["items"]] == [i["id"] for i in items]


async def test_another_street_sees_none_of_ours(client: httpx.AsyncClient) -> None:
    await standards()
    ours = await insert_household(GUANGHUA, [Person("卯", ADULT, "5000.00")], category="dibao")
    theirs = await insert_household(
        GONGPING_COMMUNITY, [Person("辰", ADULT, "5000.00")], category="dibao"
    )
    liucheng = await login_staff(client, "liucheng1", "street_officer", "510115001000")
    gongping = await login_staff(client, "gongping1", "street_officer", "510115002000")
    assert [i["id"] for i in await worklist(client, liucheng)] == [ours]
    assert [i["id"] for i in await worklist(client, gongping)] == [theirs]
    # Asking for another street's region gives nothing, not their households.
    assert await worklist(client, gongping, region_code="510115001000") == []
    auditor = await login_staff(client, "auditor1", "auditor", WENJIANG)
    assert {i["id"] for i in await worklist(client, auditor)} == {ours, theirs}
    admin = await login_staff(client, "admin1", "admin", WENJIANG)
    refused = await client.get("/staff/eligibility/mismatches", headers=admin)
    assert refused.status_code == 403


async def test_no_standard_no_suggestion(client: httpx.AsyncClient) -> None:
    await insert_household(GUANGHUA, [Person("巳", ADULT, "5000.00")], category="dibao")
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    assert await worklist(client, district) == []


async def test_sql_agrees_with_the_step_by_step_rules(client: httpx.AsyncClient) -> None:
    """Random households near every threshold: the worklist (SQL, in cents) and the
    eligibility endpoint (Python, Decimal) must agree on each one."""
    await standards()
    await add_standard("510115001000", "dibao", "901.01", date(2024, 1, 1))
    await add_standard("510115001000", "edge_multiplier", "1.333", date(2024, 1, 1))
    rng = random.Random(20261201)
    categories = [None, "dibao", "dibao_edge", "expenditure_hardship", "tekun", "other_special"]
    ids = []
    for index in range(60):
        size = rng.choice([1, 1, 2, 3, 4])
        per_head = rng.choice(
            [0, 869.99, 870, 870.01, 901, 901.01, 1201.02, 1305, 1304.99, 1500, 3000]
        )
        total = round(per_head * size + rng.choice([-0.01, 0, 0.01, 0.005 * size]), 2)
        total = max(total, 0)
        people = []
        for m in range(size):
            old = rng.random() < 0.4
            income = f"{total:.2f}" if m == 0 else "0.00"
            people.append(
                Person(
                    f"人{index}-{m}",
                    date(1950, 1, 1) if old else date(1990, 1, 1),
                    income,
                    relation="head" if m == 0 else "child",
                    work_capacity=rng.choice(["none", "none", "full"]),
                    disability_grade=rng.choice([None, None, 1, 3]),
                    severe_illness=rng.random() < 0.1,
                )
            )
        medical = rng.choice(["0.00", "0.00", "100.00", "450.01", "2000.00"])
        education = rng.choice(["0.00", "0.00", "0.01", "120.50", "800.00"])
        region = rng.choice([GUANGHUA, GONGPING_COMMUNITY])
        ids.append(
            await insert_household(
                region,
                people,
                medical=medical,
                education=education,
                category=rng.choice(categories),
            )
        )
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    listed = {i["id"]: i["suggested"] for i in await worklist(client, district, limit=100)}
    preference = ["tekun", "dibao", "expenditure_hardship", "dibao_edge"]
    for household_id in ids:
        response = await client.get(
            f"/staff/households/{household_id}/eligibility", params={"on": ON}, headers=district
        )
        result = response.json()
        qualifies = result["qualifies"]
        current = result["current_category"]
        expected_listed = (current is None and bool(set(qualifies) & set(preference))) or (
            current is not None and current not in qualifies
        )
        assert (household_id in listed) == expected_listed, result
        if expected_listed:
            best = next((c for c in preference if c in qualifies), "exit")
            assert listed[household_id] == best, result


async def test_bad_cursors_and_ids_are_422(client: httpx.AsyncClient) -> None:
    from app.kit.pagination import encode_cursor

    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    for cursor in ("not-a-cursor", encode_cursor("x"), encode_cursor(2**63), encode_cursor(True)):
        response = await client.get(
            "/staff/eligibility/mismatches", params={"cursor": cursor}, headers=district
        )
        assert response.status_code == 422, cursor
        standards = await client.get(
            "/staff/standards", params={"cursor": cursor}, headers=district
        )
        assert standards.status_code == 422, cursor
    wrong_shape = encode_cursor("2022-13-01", 5)
    response = await client.get(
        "/staff/standards", params={"cursor": wrong_shape}, headers=district
    )
    assert response.status_code == 422
    huge = await client.get(f"/staff/households/{2**63}/eligibility", headers=district)
    assert huge.status_code == 422
    unknown = await client.get(
        "/staff/eligibility/mismatches", params={"suggested": "maybe"}, headers=district
    )
    assert unknown.status_code == 422


async def test_the_default_edge_multiplier_where_none_is_set(client: httpx.AsyncClient) -> None:
    """Only a dibao standard: the edge line is 1.5 times it, in the worklist's SQL and in the
    step-by-step rules alike (820.00 x 1.5 = 1,230.00)."""
    await add_standard(WENJIANG, "dibao", "820.00", date(2022, 7, 1))
    below = await insert_household(GUANGHUA, [Person("午", ADULT, "1229.99")])
    at_line = await insert_household(GUANGHUA, [Person("未", ADULT, "1230.00")])
    edge_at_line = await insert_household(
        GUANGHUA, [Person("申", ADULT, "1230.00")], category="dibao_edge"
    )
    district = await login_staff(client, "district1", "district_officer", WENJIANG)
    listed = {i["id"]: i["suggested"] for i in await worklist(client, district)}
    assert listed == {below: "dibao_edge", edge_at_line: "exit"}
    for household_id, qualifies in [(below, ["dibao_edge"]), (at_line, [])]:
        result = (
            await client.get(
                f"/staff/households/{household_id}/eligibility",
                params={"on": ON},
                headers=district,
            )
        ).json()
        assert (result["edge_multiplier"], result["edge_threshold"]) == ("1.50", "1230.00")
        assert result["qualifies"] == qualifies
