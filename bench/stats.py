"""Benchmark: the bureau's figures over 1,000,000 monitored people on PostgreSQL.

    .venv/bin/python bench/stats.py [--people 1000000] [--rounds 7]

1. Data: ``app.devtools.generate`` makes the population (households, members, each with its
   enrolment in ``category_changes``), about 2% of households get a later change or an exit.
2. For each figure, the service call the endpoint makes (``app.stats.service``) beside
   hand-written SQL giving the same numbers, alternated in the same run; prints the median and
   the worst of each, their ratio (targets: under 1 s, ratio <= 1.5x) and whether they agree:
   - the overview today (the registry's columns, applications, warnings, visits, population);
   - the overview on a day 30 days back (categories from their history);
   - the registry figures per street (today, with decisions in the period and causes).

Creates (drops first) its own PostgreSQL database. Missing a target prints BELOW TARGET.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.registry import (  # noqa: E402 - after the path fix above
    DATA_KEY,
    DISTRICT,
    SECRET_KEY,
    recreate_database,
    target,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/jiuzhu_bench_stats"
TARGET_SECONDS = 1.0
TARGET_RATIO = 1.5

# The overview's registry figures by hand: today from the registry's columns.
HAND_TODAY = """
SELECT coalesce(category, 'none'), count(*), sum(members_count)
FROM households
WHERE region_code BETWEEN :low AND :high AND status = 'active'
GROUP BY 1
"""
# On an earlier day: the last decision effective that day per household, by DISTINCT ON.
HAND_HISTORY = """
WITH last AS (
    SELECT DISTINCT ON (household_id) household_id,
           CASE WHEN action = 'exit' THEN 'exited' ELSE category END AS category
    FROM category_changes
    WHERE effective_date <= :on
    ORDER BY household_id, effective_date DESC, id DESC
)
SELECT coalesce(l.category, 'none'), count(*), sum(h.members_count)
FROM households h LEFT JOIN last l ON l.household_id = h.id
WHERE h.region_code BETWEEN :low AND :high AND h.created_at < :day_end
  AND (l.category IS NULL OR l.category <> 'exited')
GROUP BY 1
"""
HAND_REST = [
    """SELECT sum(population) FROM regions
       WHERE code BETWEEN :low AND :high AND level IN ('community', 'village')""",
    """SELECT status, count(*) FROM applications
       WHERE region_code BETWEEN :low AND :high GROUP BY status""",
    """SELECT level, count(*) FROM warnings
       WHERE region_code BETWEEN :low AND :high AND opened_at < :day_end
         AND (closed_at IS NULL OR closed_at >= :day_end) GROUP BY level""",
    """SELECT count(*) FILTER (WHERE next_due_on BETWEEN :on AND :horizon),
              count(*) FILTER (WHERE next_due_on < :on)
       FROM visit_schedules v JOIN households h ON h.id = v.household_id
       WHERE h.region_code BETWEEN :low AND :high AND h.status = 'active'""",
]
HAND_STREETS = """
SELECT substr(region_code, 1, 9) || '000', coalesce(category, 'none'), count(*),
       sum(members_count)
FROM households
WHERE region_code BETWEEN :low AND :high AND status = 'active'
GROUP BY 1, 2
"""
HAND_PERIOD = """
SELECT c.action, coalesce(c.category, c.previous_category, 'none'), count(DISTINCT c.household_id)
FROM category_changes c JOIN households h ON h.id = c.household_id
WHERE h.region_code BETWEEN :low AND :high AND c.effective_date BETWEEN :start AND :end
GROUP BY c.action, c.category, c.previous_category
"""
HAND_CAUSES = """
SELECT {columns} FROM households
WHERE region_code BETWEEN :low AND :high AND status = 'active'
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="postgresql+asyncpg URL")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per figure")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="time the figures on the data a --keep-database run left (no generation)",
    )
    return parser.parse_args()


async def generation(people: int, workers: int | None) -> None:
    from sqlalchemy import func, select, text

    from app.db.session import session_scope
    from app.devtools.demo_registry import ensure_demo_standards
    from app.devtools.generate import generate
    from app.models.household import Household
    from app.regions.service import BUILTIN_CSV, import_regions, parse_regions_csv

    print(f"\n== data: {people:,} people ==", flush=True)
    started = time.perf_counter()
    async with session_scope() as session:
        await import_regions(session, parse_regions_csv(BUILTIN_CSV))
        await ensure_demo_standards(session)
    async with session_scope() as session:
        result = await generate(session, people, root=DISTRICT, workers=workers)
    async with session_scope() as session:
        # A later change for 1% of households, an exit for another 1% (ten days ago), and
        # registration dates spread over two years, set-based.
        await session.execute(
            text(
                """
                INSERT INTO category_changes (household_id, action, category,
                    previous_category, effective_date, reason, created_at)
                SELECT id, CASE WHEN id % 100 = 1 THEN 'change' ELSE 'exit' END,
                       CASE WHEN id % 100 = 1 THEN 'dibao_edge' END, category,
                       current_date - 10, 'bench', now()
                FROM households WHERE category IS NOT NULL AND id % 100 IN (1, 2)
                """
            )
        )
        await session.execute(
            text(
                """
                UPDATE households SET
                  category = CASE WHEN id % 100 = 1 THEN 'dibao_edge' ELSE NULL END,
                  status = CASE WHEN id % 100 = 2 THEN 'exited' ELSE status END
                WHERE category IS NOT NULL AND id % 100 IN (1, 2)
                """
            )
        )
        await session.execute(
            text("UPDATE households SET created_at = now() - (id % 700) * interval '1 day'")
        )
    async with session_scope() as session:
        await session.execute(text("ANALYZE"))
        count = int(await session.scalar(select(func.count()).select_from(Household)) or 0)
    print(
        f"{result.people:,} people in {count:,} households, "
        f"generated in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return time.perf_counter() - started, result


def _categories(rows: Any) -> dict[str, tuple[int, int]]:
    return {str(c): (int(n), int(p or 0)) for c, n, p in rows if c != "exited"}


async def compare(
    title: str,
    rounds: int,
    by_service: Callable[[Any], Awaitable[Any]],
    by_hand: Callable[[Any], Awaitable[Any]],
) -> None:
    from app.db.session import session_scope

    service_times: list[float] = []
    hand_times: list[float] = []
    agree = True
    for round_number in range(rounds + 1):
        async with session_scope() as session:
            s_time, s_result = await timed(lambda: by_service(session))
            h_time, h_result = await timed(lambda: by_hand(session))
        agree = agree and s_result == h_result
        if round_number:  # the first round warms the caches
            service_times.append(s_time)
            hand_times.append(h_time)
    service_median = statistics.median(service_times)
    hand_median = statistics.median(hand_times)
    ratio = service_median / hand_median
    print(f"\n== {title} ==")
    print(
        f"service: median {service_median * 1000:.0f} ms, worst {max(service_times) * 1000:.0f} ms"
        f"  [median target < {TARGET_SECONDS:.0f} s: {target(service_median < TARGET_SECONDS)}]"
    )
    print(
        f"hand-written SQL: median {hand_median * 1000:.0f} ms, "
        f"worst {max(hand_times) * 1000:.0f} ms"
    )
    print(f"ratio {ratio:.2f}x  [target <= {TARGET_RATIO}x: {target(ratio <= TARGET_RATIO)}]")
    print(f"same figures: {'yes' if agree else 'NO'}", flush=True)


async def run(args: argparse.Namespace) -> None:
    from sqlalchemy import text

    from app.households.schemas import CAUSE_BITS
    from app.kit.actor import Actor
    from app.kit.timeutil import local_today
    from app.stats import service
    from app.stats.service import day_start

    if not args.reuse_database:
        await generation(args.people, args.workers)
    actor = Actor(kind="staff", id=None, role="district_officer", region_code=DISTRICT)
    low, high = "510115000000", "510115999999"
    today = local_today()
    earlier = today - timedelta(days=30)

    def params(on: date) -> dict[str, Any]:
        return {
            "low": low,
            "high": high,
            "on": on,
            "day_end": day_start(on + timedelta(days=1)),
            "horizon": on + timedelta(days=service.VISIT_HORIZON_DAYS),
        }

    def overview_figures(figures: dict[str, Any]) -> Any:
        households = {k: v for k, v in figures["households"].items() if v}
        people = {k: v for k, v in figures["people"].items() if v}
        return (
            households,
            people,
            figures["population"],
            figures["applications"],
            {k: v for k, v in figures["warnings_open"].items() if v},
            (figures["visits"]["due"], figures["visits"]["overdue"]),
        )

    async def hand_overview(session: Any, registry_sql: str, on: date) -> Any:
        found = _categories(await session.execute(text(registry_sql), params(on)))
        population, statuses, warnings, visits = [
            (await session.execute(text(sql), params(on))).all() for sql in HAND_REST
        ]
        return (
            {k: n for k, (n, _) in found.items() if k != "none" and n},
            {k: p for k, (_, p) in found.items() if p},
            population[0][0],
            dict(statuses),
            dict(warnings),
            tuple(visits[0]),
        )

    async def service_today(session: Any) -> Any:
        return overview_figures(await service.overview(session, actor, today, None))

    async def service_earlier(session: Any) -> Any:
        return overview_figures(await service.overview(session, actor, earlier, None))

    await compare(
        f"overview today over {args.people:,} people",
        args.rounds,
        service_today,
        lambda session: hand_overview(session, HAND_TODAY, today),
    )
    await compare(
        f"overview on {earlier} (categories from their history)",
        args.rounds,
        service_earlier,
        lambda session: hand_overview(session, HAND_HISTORY, earlier),
    )

    start = today.replace(day=1) - timedelta(days=31)

    async def service_streets(session: Any) -> Any:
        figures = await service.registry(session, actor, today, None, start, today)
        streets = {
            a["region_code"]: {k: v for k, v in a["people"].items() if v}
            for a in figures["areas"]
            if any(a["people"].values())
        }
        moves = {
            (kind, c): n
            for kind in ("entered", "changed", "exited")
            for c, n in figures[kind].items()
            if n
        }
        return streets, moves, figures["causes"]

    async def hand_streets(session: Any) -> Any:
        streets: dict[str, dict[str, int]] = {}
        for code, cat, _n, people in await session.execute(
            text(HAND_STREETS), {"low": low, "high": high}
        ):
            if people:
                streets.setdefault(code, {})[cat] = int(people)
        names = {"enrol": "entered", "change": "changed", "exit": "exited"}
        moves: dict[tuple[str, str], int] = {}
        for action, cat, n in await session.execute(
            text(HAND_PERIOD), {"low": low, "high": high, "start": start, "end": today}
        ):
            key = (names[action], cat)
            moves[key] = moves.get(key, 0) + int(n)
        columns = ", ".join(
            f"count(*) FILTER (WHERE cause_mask & {bit} <> 0)" for bit in CAUSE_BITS.values()
        )
        row = (
            await session.execute(
                text(HAND_CAUSES.format(columns=columns)), {"low": low, "high": high}
            )
        ).one()
        causes = {c.value: int(row[i]) for i, c in enumerate(CAUSE_BITS)}
        return streets, moves, causes

    await compare("registry per street (today)", args.rounds, service_streets, hand_streets)


def main() -> None:
    args = parse_args()
    os.environ["JIUZHU_DATABASE_URL"] = args.database_url
    os.environ.setdefault("JIUZHU_ENV", "dev")
    os.environ.setdefault("JIUZHU_VAR_DIR", tempfile.mkdtemp(prefix="jiuzhu-bench-stats-"))
    os.environ["JIUZHU_SECRET_KEY"] = SECRET_KEY
    os.environ["JIUZHU_DATA_KEY"] = DATA_KEY
    os.environ["JIUZHU_LOG_LEVEL"] = "WARNING"
    if not args.reuse_database:
        asyncio.run(recreate_database(args.database_url))
    from app.db.migrate import upgrade

    upgrade()
    try:
        asyncio.run(run(args))
    finally:
        if not (args.keep_database or args.reuse_database):
            asyncio.run(recreate_database(args.database_url, drop_only=True))


if __name__ == "__main__":
    main()
