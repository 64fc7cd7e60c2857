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

Both statements are in :mod:`app.intake.submission_repository`; this module is the flow.

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

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.calendar import service as calendar_service
from app.errors import Unauthorized
from app.intake import creation, privacy, views
from app.intake import submission_repository as repository
from app.intake.creation import OpenCase
from app.intake.schemas import ApplicationCreate
from app.kit import audit
from app.kit.actor import Actor
from app.kit.idempotency import (
    claim_params,
    request_fingerprint,
    response_params,
    run_once,
)
from app.kit.timeutil import now
from app.models.account import Resident
from app.notifications import service as notifications

Payload = tuple[int, Any]


async def _create(
    session: AsyncSession,
    conn: AsyncConnection,
    actor: Actor,
    body: ApplicationCreate,
    claim: dict[str, Any] | None,
) -> tuple[Payload, int | None] | None:
    """Statements 1 and 2; None when the key is taken (nothing was written or drawn)."""
    id_hash, phone_hash = creation.subject_hashes(body)
    drawn = await repository.draw(
        conn,
        id_hash=id_hash,
        phone_hash=phone_hash,
        name=body.subject.name,
        resident_id=actor.id if actor.kind == "resident" else None,
        claim=claim,
    )
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
    values = repository.new_rows_params(application, event, entry)
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
        await repository.write(
            conn, values, record_response=drawn.record_id is not None, check_text=check_text
        )
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
