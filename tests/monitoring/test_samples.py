"""Each sample file in ``samples/``, imported through HTTP into a small registry, raises exactly
the warnings its rows call for and no others, routed to the right community; importing it again
raises nothing new.

The registry: 张大山 and 李小花, a dibao household in 光华社区 (no income on record), and, for
the school aid file, their two children of school age; 王德福 is in no household. The files are
dated for an evaluation on ``SAMPLE_DAY``; scans use that day here so the test does not age.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from app.monitoring.sources import SOURCES
from tests.households.builders import Person, add_standard, insert_household
from tests.monitoring.helpers import CHILD, GUANGHUA, LI, ZHANG, district, imported, sample, upload

SAMPLE_DAY = date(2026, 11, 30)
NANJIANG = "510115001002"
WENJIANG = "510115000000"

# Per file: (rule, person, community) of every warning it must raise, and nothing else.
EXPECTED: dict[str, set[tuple[str, str, str]]] = {
    # 李小花 of a dibao household registered a shop; 王德福's company concerns nobody monitored.
    "business": {("exit_business", "李小花", GUANGHUA)},
    # 张大山 died in October and leaves 李小花; 王德福's death leaves no monitored household.
    "death": {("need_death_in_household", "张大山", GUANGHUA)},
    # 王德福, monitored by nobody, is newly grade-1 disabled; the file gives no address, so the
    # district routes it. 张大山's grade 2 would need the disability allowance rule, which is
    # off by default.
    "disability": {("discovery_severe_disability", "王德福", WENJIANG)},
    # 张大山's home rated C; 王德福's D concerns nobody monitored.
    "housing_safety": {("need_housing_unsafe", "张大山", GUANGHUA)},
    # 4,450 yuan a month for two people, three months running: above 1.5 × 870 × 2 = 2,610.
    "income": {("exit_income_over_standard", "李小花", GUANGHUA)},
    # 王德福 paid 21,000 yuan himself (over 15,000) and is monitored by nobody: a discovery,
    # routed to the community of the hospital record's address. 张大山's 4,800 is under the
    # household thresholds.
    "medical": {("discovery_large_medical", "王德福", NANJIANG)},
    # 张小明 has school aid on file, 张小红 has none.
    "school_aid": {("policy_school_aid", "张小红", GUANGHUA)},
    # 李小花, 54, registered unemployed in October; 王德福's registration is older than 90 days.
    "unemployment": {("need_unemployment", "李小花", GUANGHUA)},
    # 张大山 four months behind on electricity (3 or more raise it).
    "utility_arrears": {("need_utility_arrears", "张大山", GUANGHUA)},
    # A car in a dibao member's name; 王德福's motorbike concerns nobody monitored.
    "vehicle": {("exit_vehicle", "张大山", GUANGHUA)},
}


@pytest.fixture(autouse=True)
def _sample_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.monitoring.warnings.scans.local_today", lambda: SAMPLE_DAY)


async def _registry(with_children: bool) -> None:
    await add_standard(WENJIANG, "dibao", "870.00", date(2022, 7, 1))
    people = [
        Person("张大山", date(1970, 5, 1), id_number=ZHANG),
        Person("李小花", date(1972, 3, 8), relation="spouse", id_number=LI),
    ]
    if with_children:
        people += [
            Person("张小明", date(2014, 9, 1), relation="child", id_number=CHILD),
            Person("张小红", date(2016, 4, 2), relation="child"),
        ]
    await insert_household(GUANGHUA, people, category="dibao", category_since=date(2024, 1, 1))


async def _raised(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/staff/warnings", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_every_source_has_a_sample_and_an_expectation() -> None:
    assert set(EXPECTED) == set(SOURCES)


@pytest.mark.parametrize("source", sorted(SOURCES))
async def test_sample_raises_exactly_its_warnings(client: httpx.AsyncClient, source: str) -> None:
    await _registry(with_children=source == "school_aid")
    headers = await district(client)

    report = await imported(client, headers, source, sample(source), filename=f"{source}.csv")
    assert report["status"] == "done" and report["rejected"] == 0, report

    raised = await _raised(client, headers)
    assert {(w["rule"], w["person"]["name"], w["region_code"]) for w in raised} == (
        EXPECTED[source]
    )
    assert len(raised) == len(EXPECTED[source])  # one warning per rule and subject
    assert all(w["status"] == "open" for w in raised)

    again = await upload(client, headers, source, sample(source), filename=f"again-{source}.csv")
    assert again.status_code == 200 and again.json()["id"] == report["id"]  # the same file
    assert [w["id"] for w in await _raised(client, headers)] == [w["id"] for w in raised]
