"""The one-click help submit (``POST /applications``) as residents and agencies send it: the
hot path of the whole platform.

On PostgreSQL a new submission costs two statements in the request's transaction:

1. one that claims the ``Idempotency-Key`` (``INSERT ... ON CONFLICT DO NOTHING``), draws the
   application's id and its reference number from their sequences (the one
   :mod:`app.kit.sequence` draws from), finds an open case about the same person to link to and
   asks whether the resident's withdrawal of consent is in force and which revision of the
   working-day calendar is current (the acceptance deadline is counted in Python over the
   calendar held in memory, reloaded only when that revision changed), all at once; when the
   key is taken it yields no row, and nothing is drawn;
2. one that inserts the application, its first event and its audit entry and records the
   response on the idempotency record, as data-modifying CTEs (SQLAlchemy Core, compiled once).

Every value is made by the same code as :func:`app.intake.creation.submit` (which SQLite and the
staff's own entry use): the application, its first event and its audit entry are built as ORM
objects, never added to a session, and their columns are what the statement inserts. The
response is the same view of the same object. A taken key (a replay, another body under the
same key, an expired record, a concurrent request) goes through
:func:`app.kit.idempotency.run_once`, which answers it exactly as before.

A resident is taken from the token's claims without a lookup (see
``app.accounts.dependencies.TokenSubmitter``): the foreign key on ``resident_id`` refuses an
application for a resident who does not exist, which is answered 401 as the lookup was.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, insert, literal_column, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.schema import ColumnDefault

from app.calendar import service as calendar_service
from app.calendar.repository import REVISION_SQL as CALENDAR_REVISION
from app.errors import Unauthorized
from app.intake import creation, privacy, views
from app.intake.creation import OpenCase
from app.intake.repository import REFERENCE_SEQUENCE
from app.intake.schemas import ApplicationCreate
from app.kit import audit
from app.kit.actor import Actor
from app.kit.idempotency import (
    CLAIM_CTE,
    RECORD_RESPONSE,
    claim_params,
    request_fingerprint,
    response_params,
    run_once,
)
from app.kit.sequence import nextval_sql
from app.kit.timeutil import now
from app.models.account import Resident
from app.models.application import OPEN_STATUSES, Application, ApplicationEvent
from app.models.audit import AuditEvent
from app.notifications import service as notifications

Payload = tuple[int, Any]

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


async def _create(
    session: AsyncSession,
    conn: AsyncConnection,
    actor: Actor,
    body: ApplicationCreate,
    claim: dict[str, Any] | None,
) -> tuple[Payload, int | None] | None:
    """Statements 1 and 2; None when the key is taken (nothing was written or drawn)."""
    id_hash, phone_hash = creation.subject_hashes(body)
    lookup = "id" if id_hash else "phone" if phone_hash else "none"
    params: dict[str, Any] = {
        "id_hash": id_hash,
        "phone_hash": phone_hash,
        "resident_id": actor.id if actor.kind == "resident" else None,
    }
    if lookup == "phone":
        params["name"] = body.subject.name
    statement = _draw(claim is not None, lookup)
    drawn = (await conn.execute(statement, {**params, **(claim or {})})).one_or_none()
    if drawn is None:
        return None
    if drawn.consent_withdrawn:
        raise privacy.consent_withdrawn()  # the claim and the numbers drawn roll back with it
    open_case = (
        OpenCase(drawn.open_id, drawn.open_linked_to_id, drawn.open_reference)
        if drawn.open_id is not None
        else None
    )
    submitted = now()
    # The deadline counts over the calendar held in memory; reloaded (one more statement)
    # only when statement 1 saw that the table's revision changed.
    calendar = await calendar_service.current(session, revision=drawn.calendar_revision)
    application = creation.new_application(
        actor,
        body,
        submitted=submitted,
        number=drawn.number,
        open_case=open_case,
        calendar=calendar,
    )
    application.id = drawn.application_id
    event = creation.first_event(actor, application, open_case)
    entry = audit.entry(
        actor,
        "application.submit",
        "application",
        application.id,
        creation.submit_audit_detail(application),
    )
    set_committed_value(application, "events", [event])
    payload: Payload = (201, views.resident_view(application).model_dump(mode="json"))
    values: dict[str, Any] = {}
    for obj, (table, prefix, with_id) in zip((application, event, entry), _TABLES, strict=True):
        values.update(_row(obj, table, prefix, with_id))
    if drawn.record_id is not None:
        values.update(response_params(drawn.record_id, *payload))
    # The content check of the description: queued in the same statement, never blocking.
    check_text = notifications.application_text_needs_check(body.description)
    if check_text:
        values.update(
            notifications.content_check_params(
                "application", application.id, "description", application.region_code, submitted
            )
        )
    try:
        await conn.execute(_write(drawn.record_id is not None, check_text), values)
    except IntegrityError as exc:
        if actor.kind == "resident" and "resident_id" in str(exc.orig):
            raise Unauthorized(code="invalid_token") from exc
        raise
    if check_text:
        notifications.content_check_queued(session)
    return payload, drawn.record_id


async def submit(
    session: AsyncSession, actor: Actor, key: str | None, body: ApplicationCreate
) -> Payload:
    """Submit once per caller and ``Idempotency-Key``: status and JSON body of the answer."""
    await creation.check_submission(session, actor, body)
    if session.get_bind().dialect.name != "postgresql" or actor.kind not in ("resident", "agency"):
        return await _through_unit_of_work(session, actor, key, body)
    conn = await session.connection()
    if key is not None:
        made = await _create(
            session, conn, actor, body, claim_params(actor, key, request_fingerprint(body))
        )
        if made is not None:
            return made[0]

    async def create() -> Payload:
        made = await _create(session, conn, actor, body, None)
        assert made is not None  # without a claim, statement 1 always yields its row
        return made[0]

    # No key, or a taken one: replayed, refused or (expired) made again, as run_once decides.
    return await run_once(session, actor, key, body, create)


async def _through_unit_of_work(
    session: AsyncSession, actor: Actor, key: str | None, body: ApplicationCreate
) -> Payload:
    if actor.kind == "resident" and await session.get(Resident, actor.id) is None:
        raise Unauthorized(code="invalid_token")

    async def create() -> Payload:
        application = await creation.submit(session, actor, body)
        return 201, views.resident_view(application).model_dump(mode="json")

    return await run_once(session, actor, key, body, create)
