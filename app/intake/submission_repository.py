"""SQL of the PostgreSQL submit hot path (:mod:`app.intake.submission`): its two statements,
built once per shape and cached, and the parameters the second one takes from the ORM objects
:mod:`app.intake.creation` builds. Kept apart from :mod:`app.intake.repository` for size; the
statements are tuned (one round trip each), so change them with the benchmark in hand."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Row, Table, bindparam, insert, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.schema import ColumnDefault

from app.calendar.repository import REVISION_SQL as CALENDAR_REVISION
from app.intake.repository import REFERENCE_SEQUENCE
from app.kit.idempotency import CLAIM_CTE, RECORD_RESPONSE
from app.kit.sequence import nextval_sql
from app.models.application import OPEN_STATUSES, Application, ApplicationEvent
from app.models.audit import AuditEvent
from app.notifications import service as notifications

_OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
_EARLIEST_OPEN = ("status IN (", _OPEN, ") ORDER BY id LIMIT 1) AS open_case ON true")
# The earliest open application about the same person: by ID number, or (a report without one)
# by phone and name; as creation.submit finds it (repository.find_open_case). Built of constants.
_LOOKUPS = {
    "id": "".join(
        (
            "LEFT JOIN LATERAL (SELECT id, linked_to_id, reference FROM applications ",
            "WHERE subject_id_hash = :id_hash AND ",
            *_EARLIEST_OPEN,
        )
    ),
    "phone": "".join(
        (
            "LEFT JOIN LATERAL (SELECT id, linked_to_id, reference FROM applications ",
            "WHERE subject_phone_hash = :phone_hash AND subject_name = :name AND ",
            *_EARLIEST_OPEN,
        )
    ),
    "none": (
        "LEFT JOIN (SELECT NULL::bigint AS id, NULL::bigint AS linked_to_id, "
        "NULL::varchar AS reference) AS open_case ON true"
    ),
}


# A resident's withdrawal of consent in force (privacy.require_consent asks the same).
_WITHDRAWN = (
    "EXISTS (SELECT 1 FROM consent_withdrawals WHERE resident_id = :resident_id "
    "AND regranted_at IS NULL)"
)


@cache
def _draw(claimed: bool, lookup: str) -> TextClause:
    """Statement 1: claim the key (if there is one), draw the id and the reference number,
    find the open case."""
    parts = (
        f"WITH {CLAIM_CTE} " if claimed else "",
        "SELECT claim.id AS record_id, ",
        "nextval(pg_get_serial_sequence('applications', 'id')) AS application_id, ",
        nextval_sql(REFERENCE_SEQUENCE),
        " AS number, open_case.id AS open_id, open_case.linked_to_id AS open_linked_to_id, ",
        "open_case.reference AS open_reference, ",
        _WITHDRAWN,
        " AS consent_withdrawn, ",
        CALENDAR_REVISION,
        " AS calendar_revision FROM ",
        "claim " if claimed else "(SELECT NULL::bigint AS id) AS claim ",
        _LOOKUPS[lookup],
    )
    return text("".join(parts))


async def draw(
    conn: AsyncConnection,
    *,
    id_hash: str | None,
    phone_hash: str | None,
    name: str,
    resident_id: int | None,
    claim: dict[str, Any] | None,
) -> Row[Any] | None:
    """Statement 1, with the claim of the ``Idempotency-Key`` when ``claim`` holds its
    parameters: the record's id (None without a key), the application's id and reference
    number, the open case about the same person, whether the resident withdrew consent and the
    calendar's revision. None when the key is taken (nothing was drawn)."""
    lookup = "id" if id_hash else "phone" if phone_hash else "none"
    params: dict[str, Any] = {
        "id_hash": id_hash,
        "phone_hash": phone_hash,
        "resident_id": resident_id,
    }
    if lookup == "phone":
        params["name"] = name
    statement = _draw(claim is not None, lookup)
    return (await conn.execute(statement, {**params, **(claim or {})})).one_or_none()


def _insert(table: Table, prefix: str, with_id: bool) -> Insert:
    return insert(table).values(
        {
            column.name: bindparam(f"{prefix}{column.name}", type_=column.type)
            for column in table.columns
            if with_id or not column.primary_key
        }
    )


_TABLES = (
    (cast(Table, Application.__table__), "a_", True),
    (cast(Table, ApplicationEvent.__table__), "e_", False),
    (cast(Table, AuditEvent.__table__), "au_", False),
)


@cache
def _write(record_response: bool, check_text: bool) -> Any:
    """Statement 2: the application, its first event, its audit entry, (with a description)
    the content check of the description and its job, and (with a key) the response on the
    idempotency record."""
    ctes = [
        _insert(table, prefix, with_id).cte(f"new_{prefix.rstrip('_')}")
        for table, prefix, with_id in _TABLES
    ]
    if check_text:
        ctes += notifications.content_check_ctes()
    if record_response:
        return RECORD_RESPONSE.add_cte(*ctes)
    return select(literal_column("1")).add_cte(*ctes)


async def write(
    conn: AsyncConnection, values: dict[str, Any], *, record_response: bool, check_text: bool
) -> None:
    """Statement 2 with ``values``: :func:`new_rows_params`, and the parameters of the
    response (``app.kit.idempotency.response_params``) and of the content check
    (``notifications.content_check_params``) when those are written."""
    await conn.execute(_write(record_response, check_text), values)


@cache
def _plan(table: Table, prefix: str, with_id: bool) -> tuple[tuple[str, str, Any], ...]:
    """For each inserted column: its attribute, its parameter, and the default a flush would
    give it when left unset (``_UNSET`` for none: the value is taken as it is)."""
    plan = []
    for column in table.columns:
        if column.primary_key and not with_id:
            continue
        default = column.default
        fallback: Any = _UNSET
        if isinstance(default, ColumnDefault) and not column.nullable:
            fallback = default
        plan.append((column.key, f"{prefix}{column.name}", fallback))
    return tuple(plan)


_UNSET = object()


def _row(obj: object, table: Table, prefix: str, with_id: bool) -> dict[str, Any]:
    """The column values of an ORM object as statement 2's parameters; a column left unset
    gets its scalar or callable default, as a flush would give it."""
    values: dict[str, Any] = {}
    state = obj.__dict__  # the values set on an object never added to a session
    for key, param, default in _plan(table, prefix, with_id):
        value = state.get(key)
        if value is None and default is not _UNSET:
            value = default.arg(None) if default.is_callable else default.arg
        values[param] = value
    return values


def new_rows_params(
    application: Application, event: ApplicationEvent, entry: AuditEvent
) -> dict[str, Any]:
    """Statement 2's parameters for the three rows it inserts, from ORM objects never added
    to a session."""
    values: dict[str, Any] = {}
    for obj, (table, prefix, with_id) in zip((application, event, entry), _TABLES, strict=True):
        values.update(_row(obj, table, prefix, with_id))
    return values
