"""Running the rules: each enabled rule's statement becomes one ``INSERT … SELECT`` that groups
its evidence rows by subject and opens a warning for each subject with none open.

"The same warning" is the same rule about the same household (or, for people not monitored,
the same person). It is never opened twice while open: the statement skips subjects with an
open one (``NOT EXISTS``), and the partial unique index ``uq_warnings_open_subject`` with
``ON CONFLICT DO NOTHING`` settles two scans racing. Once a warning is resolved or closed, the
rule opens it again only on evidence that arrived after (a signal newer than the closing), or,
for rules over registry data alone, after ``QUIET_DAYS``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import CreateTable

from app.db.base import UTCDateTime
from app.models.monitoring import MonitoringImport
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning, WarningEvent
from app.monitoring.rules import repository
from app.monitoring.rules.base import (
    TOUCHED_HOUSEHOLDS,
    TOUCHED_PERSONS,
    Rule,
    RuleParams,
    ScanContext,
)
from app.monitoring.rules.catalog import BY_CODE, RULES

QUIET_DAYS = 180
SCAN_WORK_MEM = "64MB"
INCREMENTAL_RANDOM_PAGE_COST = "1.1"
# Up to this many people touched, an incremental scan is priced for index lookups (above).
# A bigger import (a whole agency's yearly file) is planned as a full scan is, by hashing:
# at 900,000 people touched, index lookups made the medical rules 3x slower.
INDEX_LOOKUPS_UP_TO = 50_000
_INSERT: dict[str, Any] = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def _evidence_json(ctx: ScanContext, h: Any) -> ColumnElement[Any]:
    pairs: list[Any] = []
    for key in ("source", "import_id", "row", "field", "value", "threshold"):
        pairs += [literal(key, String), h.c[key]]
    if ctx.dialect == "postgresql":
        return func.json_agg(func.json_build_object(*pairs))
    return func.json_group_array(func.json_object(*pairs))


SCAN = bindparam("scan_ref", type_=BigInteger)
OPENED_AT = bindparam("opened", type_=UTCDateTime())
QUIET_SINCE = bindparam("quiet_since", type_=UTCDateTime())


@lru_cache(maxsize=256)
def _cached(code: str, params_json: str, level: str, ctx: ScanContext) -> Any:
    rule = BY_CODE[code]
    return open_statement(rule, rule.Params.model_validate_json(params_json), level, ctx)


def open_statement(rule: Rule, params: RuleParams, level: str, ctx: ScanContext) -> Any:
    """``INSERT INTO warnings … SELECT`` for one rule; see the module docstring. The scan, the
    time and the import are bound when it runs, so one built statement (and SQLAlchemy's
    compiled form of it) serves every scan of the day."""
    h = rule.hits(params, ctx).subquery("hits")
    grouped = (
        select(
            h.c.subject_key,
            func.max(h.c.household_id).label("household_id"),
            func.max(h.c.person_hash).label("person_hash"),
            func.max(h.c.person_name).label("person_name"),
            func.max(h.c.person_id_masked).label("person_id_masked"),
            func.coalesce(func.max(h.c.region_code), ctx.district_code).label("region_code"),
            func.min(h.c.summary).label("summary"),
            _evidence_json(ctx, h).label("evidence"),
            func.max(h.c.signal_at).label("last_signal_at"),
        )
        .group_by(h.c.subject_key)
        .subquery("grouped")
    )
    earlier = EarlyWarning.__table__.alias("earlier")
    suppressed = exists().where(
        earlier.c.rule_code == rule.code,
        earlier.c.subject_key == grouped.c.subject_key,
        or_(
            earlier.c.status.in_(OPEN_WARNING_STATUSES),
            and_(
                earlier.c.closed_at.is_not(None),
                or_(
                    and_(grouped.c.last_signal_at.is_(None), earlier.c.closed_at > QUIET_SINCE),
                    grouped.c.last_signal_at <= earlier.c.closed_at,
                ),
            ),
        ),
    )
    columns = {
        "rule_code": literal(rule.code, String),
        "rule_class": literal(rule.rule_class.value, String),
        "level": literal(level, String),
        "status": literal("open", String),
        "subject_key": grouped.c.subject_key,
        "household_id": cast(grouped.c.household_id, BigInteger),
        "person_hash": grouped.c.person_hash,
        "person_name": func.coalesce(grouped.c.person_name, ""),
        "person_id_masked": grouped.c.person_id_masked,
        "region_code": grouped.c.region_code,
        "summary": func.coalesce(grouped.c.summary, ""),
        "evidence": grouped.c.evidence,
        "last_signal_at": grouped.c.last_signal_at,
        "scan_id": SCAN,
        "opened_at": OPENED_AT,
    }
    chosen = select(*columns.values()).where(~suppressed)
    return (
        _INSERT[ctx.dialect](EarlyWarning)
        .from_select(list(columns), chosen)
        .on_conflict_do_nothing()
    )


_TOUCHED_PERSONS_SQL = """
INSERT INTO scan_touched_persons (person_hash)
SELECT DISTINCT person_hash FROM signals WHERE import_id = :import_id ORDER BY person_hash
"""
_TOUCHED_HOUSEHOLDS_SQL = """
INSERT INTO scan_touched_households (household_id)
SELECT DISTINCT m.household_id
FROM household_members m JOIN scan_touched_persons t ON t.person_hash = m.id_hash
WHERE m.active ORDER BY m.household_id
"""


async def touch(session: AsyncSession, import_id: int) -> int:
    """Fill the two temporary tables an incremental scan's statements join: the people the
    import's rows are about and the households they are active members of (analyzed on
    PostgreSQL: autovacuum never sees a temporary table, and the plans start from them).
    Rows go in in key order (a million random keys cost their primary key twice as much).
    Returns the number of people touched."""
    postgres = session.get_bind().dialect.name == "postgresql"
    for table in (TOUCHED_PERSONS, TOUCHED_HOUSEHOLDS):
        await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
        ddl = str(CreateTable(table).compile(dialect=session.get_bind().dialect)).strip()
        await session.execute(text(ddl + (" ON COMMIT DROP" if postgres else "")))
    persons = await session.execute(text(_TOUCHED_PERSONS_SQL), {"import_id": import_id})
    await session.execute(text(_TOUCHED_HOUSEHOLDS_SQL))
    if postgres:
        await session.execute(text(f"ANALYZE {TOUCHED_PERSONS.name}, {TOUCHED_HOUSEHOLDS.name}"))
    return max(int(getattr(persons, "rowcount", 0) or 0), 0)


async def untouch(session: AsyncSession) -> None:
    for table in (TOUCHED_HOUSEHOLDS, TOUCHED_PERSONS):
        await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))


async def run_rules(
    session: AsyncSession,
    *,
    on: date,
    district_code: str,
    scan_id: int,
    at: datetime,
    import_id: int | None = None,
) -> dict[str, int]:
    """Run every enabled rule (over the people ``import_id`` touched, or everyone); returns
    the warnings opened by each rule. Each opening is written to the warning's history."""
    dialect = session.get_bind().dialect.name
    ctx = ScanContext(
        on=on, dialect=dialect, district_code=district_code, incremental=import_id is not None
    )
    binds = {
        "scan_ref": scan_id,
        "opened": at,
        "quiet_since": at - timedelta(days=QUIET_DAYS),
    }
    connection = await session.connection()
    settings = await repository.load_all(session)
    source = None
    touched = 0
    if import_id is not None:
        source = await session.scalar(
            select(MonitoringImport.source).where(MonitoringImport.id == import_id)
        )
        touched = await touch(session, import_id)
    if dialect == "postgresql":
        # Cheap per row but costly-looking over a district: JIT would take longer than the work.
        await session.execute(select(func.set_config("jit", "off", True)))
        # A full scan's sorts and hashes (a window over a year of medical bills, the members'
        # keyed hashes) spill to disk at the default 4 MB; for this transaction only.
        await session.execute(select(func.set_config("work_mem", SCAN_WORK_MEM, True)))
        if import_id is not None and touched <= INDEX_LOOKUPS_UP_TO:
            # An incremental scan reads a few thousand people's rows through the indexes, out
            # of tables a scan has just read (cached): priced at the default random-read cost,
            # the planner preferred reading every medical signal (2.3 s against 0.5 s at a
            # million people).
            await session.execute(
                select(func.set_config("random_page_cost", INCREMENTAL_RANDOM_PAGE_COST, True))
            )
    opened: dict[str, int] = {}
    for rule in RULES:
        setting = settings[rule.code]
        if not setting.enabled:
            continue
        if source is not None and rule.triggers is not None and source not in rule.triggers:
            continue  # nothing it reads changed for the people the import touched
        params = repository.params_of(rule, setting.params)
        statement = _cached(rule.code, params.model_dump_json(), setting.level, ctx)
        result = await connection.execute(statement, binds)
        opened[rule.code] = max(int(getattr(result, "rowcount", 0) or 0), 0)
    await session.execute(
        insert(WarningEvent).from_select(
            ["warning_id", "at", "action", "to_status", "note"],
            select(
                EarlyWarning.id,
                EarlyWarning.opened_at,
                literal("open", String),
                literal("open", String),
                EarlyWarning.summary,
            ).where(EarlyWarning.scan_id == scan_id),
        )
    )
    if import_id is not None:
        await untouch(session)
    return opened
