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
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import UTCDateTime
from app.models.warning import OPEN_WARNING_STATUSES, EarlyWarning, WarningEvent
from app.monitoring.rules import repository
from app.monitoring.rules.base import Rule, RuleParams, ScanContext
from app.monitoring.rules.catalog import BY_CODE, RULES

QUIET_DAYS = 180
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
        "touched_import": import_id,
    }
    connection = await session.connection()
    settings = await repository.load_all(session)
    if dialect == "postgresql":
        # Cheap per row but costly-looking over a district: JIT would take longer than the work.
        await session.execute(select(func.set_config("jit", "off", True)))
    opened: dict[str, int] = {}
    for rule in RULES:
        setting = settings[rule.code]
        if not setting.enabled:
            continue
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
    return opened
