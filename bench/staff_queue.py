"""The staff queue under a million applications: GET /api/v1/staff/applications with a mix of
filters, as a district officer, a street officer and a community worker; EXPLAIN ANALYZE of the
statements the repository builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.harness import Request, Result, drive, ms, percentile

TARGET_P95 = 0.050
FILTERS = (
    "none",
    "status=submitted",
    "help_type=medical",
    "region_code=street",
    "overdue=true",
    "q=reference",
    "q=name prefix",
    "page 2 (cursor)",
)
NAME_PREFIXES = ("张伟", "王", "李秀", "刘建", "陈", "杨芳", "黄", "曾")


@dataclass
class Role:
    label: str
    role: str
    region_code: str
    street: str  # the street used for the region_code filter
    staff_id: int = 0
    token: str = ""
    references: tuple[str, ...] = ()
    cursor: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


ROLES = (
    Role("district officer", "district_officer", "510115000000", "510115001000"),
    Role("street officer", "street_officer", "510115001000", "510115001000"),
    Role("community worker", "community_worker", "510115001001", "510115001000"),
)


def query_params(role: Role, name: str, i: int) -> dict[str, str]:
    """The query string for filter ``name``, varied by ``i`` where it makes sense."""
    if name == "status=submitted":
        return {"status": "submitted"}
    if name == "help_type=medical":
        return {"help_type": "medical"}
    if name == "region_code=street":
        return {"region_code": role.street}
    if name == "overdue=true":
        return {"overdue": "true"}
    if name == "q=reference":
        return {"q": role.references[i % len(role.references)]}
    if name == "q=name prefix":
        return {"q": NAME_PREFIXES[i % len(NAME_PREFIXES)]}
    if name == "page 2 (cursor)":
        return {"cursor": role.cursor}
    return {}


async def prepare(base_url: str, roles: tuple[Role, ...]) -> None:
    """The next_cursor of each role's first page, for the page-2 requests."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        for role in roles:
            response = await client.get("/api/v1/staff/applications", headers=role.headers)
            response.raise_for_status()
            role.cursor = response.json()["next_cursor"] or ""


async def measure(
    base_url: str, roles: tuple[Role, ...], per_filter: int, concurrency: int
) -> dict[tuple[str, str], Result]:
    """``per_filter`` requests for each role and filter, in that order."""
    results: dict[tuple[str, str], Result] = {}
    for role in roles:
        for name in FILTERS:

            def make(i: int, role: Role = role, name: str = name) -> Request:
                params = query_params(role, name, i)
                path = "/api/v1/staff/applications"
                return Request(
                    "GET", f"{path}?{urlencode(params)}" if params else path, role.headers
                )

            # A few unmeasured requests first, so every filter starts warm.
            await drive(base_url, make, 5, 1)
            results[(role.label, name)] = await drive(base_url, make, per_filter, concurrency)
    return results


def report(results: dict[tuple[str, str], Result]) -> tuple[float, int]:
    """Print p50/p95 per role and filter; return the overall p95 and the failure count."""
    print(f"  {'role':<17} {'filter':<20} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    every: list[float] = []
    failures = 0
    for (label, name), result in results.items():
        every.extend(result.latencies)
        failures += len(result.failures)
        print(
            f"  {label:<17} {name:<20} {result.rate:7.1f} {ms(percentile(result.latencies, 50))}"
            f"  {ms(percentile(result.latencies, 95))}  {ms(max(result.latencies, default=0))}"
        )
    by_filter: dict[str, list[float]] = {}
    for (_label, name), result in results.items():
        by_filter.setdefault(name, []).extend(result.latencies)
    print("  per filter, all roles:")
    for name, values in by_filter.items():
        print(
            f"    {name:<20} p50 {ms(percentile(values, 50))} ms   "
            f"p95 {ms(percentile(values, 95))} ms"
        )
    return percentile(every, 95), failures


async def explain(
    session: Any, actor: Any, role: Role, name: str, before_id: int | None, i: int = 0
) -> tuple[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement ``repository.list_queue`` runs for a filter,
    captured as it is sent to PostgreSQL and re-run with the same parameters."""
    from sqlalchemy import event

    from app.intake import repository
    from app.intake.schemas import HELP_BITS, HelpType
    from app.kit.search import parse_query
    from app.kit.timeutil import now

    params = query_params(role, name, i)
    search = parse_query(params["q"]) if "q" in params else {}
    conn = await session.connection()
    captured: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        captured.append((statement, parameters))

    event.listen(conn.sync_connection, "before_cursor_execute", capture)
    try:
        await repository.list_queue(
            session,
            actor,
            statuses=[params["status"]] if "status" in params else None,
            help_bit=HELP_BITS[HelpType(params["help_type"])] if "help_type" in params else None,
            region_code=params.get("region_code"),
            assignee_id=None,
            overdue_at=now() if "overdue" in params else None,
            reference=search.get("reference"),
            id_hash=search.get("id_hash"),
            name_prefix=search.get("name_prefix"),
            before_id=before_id if name == "page 2 (cursor)" else None,
            limit=21,
        )
    finally:
        event.remove(conn.sync_connection, "before_cursor_execute", capture)
    statement, parameters = captured[-1]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    rows = await driver.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters)
    shown = ", ".join(f"{k}={v}" for k, v in params.items() if k != "cursor")
    return shown, [f"    {r[0]}" for r in rows]
