"""SQL for the monitoring registry. Every read of households goes through
:func:`readable_statement`; members, changes, history and ledger are read only after their
household was found through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.errors import Forbidden
from app.households.errors import PersonInActiveHousehold
from app.households.schemas import CAUSE_BITS, Cause
from app.kit.actor import Actor
from app.kit.rotation import EncryptedField
from app.kit.sequence import next_number
from app.models.household import (
    CategoryChange,
    Household,
    HouseholdChange,
    HouseholdMember,
    LedgerEntry,
)
from app.regions.jurisdiction import in_subtree

REFERENCE_SEQUENCE = "household_reference_seq"
ACTIVE_PERSON_INDEX = "uq_household_members_active_person"


@dataclass(frozen=True)
class HouseholdFilter:
    """The list and export filters, already parsed (``q`` split into its three meanings)."""

    category: str | None = None
    risk_level: str | None = None
    region_code: str | None = None
    cause: str | None = None
    status: str | None = None
    reference: str | None = None
    id_hash: str | None = None
    name_prefix: str | None = None
    q_shown: str | None = None  # ``q`` as it may be logged: an ID number masked


def readable_statement(actor: Actor) -> Select[Household]:
    """Households the actor may see: staff their jurisdiction; nobody else any."""
    if actor.kind == "staff" and actor.region_code:
        return select(Household).where(in_subtree(Household.region_code, actor.region_code))
    raise Forbidden("仅限辖区工作人员", code="staff_only")


def _current_members_where(*clauses: ColumnElement[bool]) -> Select[int]:
    return select(HouseholdMember.household_id).where(
        HouseholdMember.removed_at.is_(None), *clauses
    )


def filtered_statement(actor: Actor, f: HouseholdFilter) -> Select[Household]:
    stmt = readable_statement(actor)
    if f.category:
        stmt = stmt.where(Household.category == f.category)
    if f.risk_level:
        stmt = stmt.where(Household.risk_level == f.risk_level)
    if f.region_code:
        stmt = stmt.where(in_subtree(Household.region_code, f.region_code))
    if f.cause:
        stmt = stmt.where(Household.cause_mask.op("&")(CAUSE_BITS[Cause(f.cause)]) != 0)
    if f.status:
        stmt = stmt.where(Household.status == f.status)
    if f.reference:
        stmt = stmt.where(Household.reference == f.reference)
    if f.id_hash:
        stmt = stmt.where(
            Household.id.in_(_current_members_where(HouseholdMember.id_hash == f.id_hash))
        )
    if f.name_prefix:
        escaped = f.name_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        by_name = _current_members_where(HouseholdMember.name.like(escaped + "%", escape="\\"))
        stmt = stmt.where(Household.id.in_(by_name))
    return stmt


async def list_households(
    session: AsyncSession, actor: Actor, f: HouseholdFilter, *, before_id: int | None, limit: int
) -> list[Household]:
    """Newest first, keyset-paged by id."""
    stmt = filtered_statement(actor, f).order_by(Household.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(Household.id < before_id)
    return list(await session.scalars(stmt))


async def iter_households(
    session: AsyncSession, actor: Actor, f: HouseholdFilter, *, batch: int
) -> AsyncIterator[list[Household]]:
    """Every matching household, in keyset batches (for the export)."""
    before_id: int | None = None
    while True:
        rows = await list_households(session, actor, f, before_id=before_id, limit=batch)
        if not rows:
            return
        yield rows
        before_id = rows[-1].id


async def get_readable(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    *,
    for_update: bool = False,
    with_members: bool = False,
) -> Household | None:
    stmt = readable_statement(actor).where(Household.id == household_id)
    if for_update:
        stmt = stmt.with_for_update()
    if with_members:
        stmt = stmt.options(selectinload(Household.members))
    return await session.scalar(stmt)


async def taken_hashes(
    session: AsyncSession, hashes: set[str], *, except_member_ids: Collection[int] = ()
) -> set[str]:
    """Which of these people are already active members of a household, whichever it is and
    whoever asks: the one-active-household rule holds across jurisdictions."""
    if not hashes:
        return set()
    stmt = select(HouseholdMember.id_hash).where(
        HouseholdMember.active.is_(True), HouseholdMember.id_hash.in_(hashes)
    )
    if except_member_ids:
        stmt = stmt.where(HouseholdMember.id.not_in(except_member_ids))
    return set(await session.scalars(stmt))


async def active_household_id_of(session: AsyncSession, id_hash: str) -> int | None:
    """The household a person is an active member of, if any (matching, not reading)."""
    return await session.scalar(
        select(HouseholdMember.household_id).where(
            HouseholdMember.active.is_(True), HouseholdMember.id_hash == id_hash
        )
    )


async def active_member_hashes(session: AsyncSession, household_id: int) -> list[str]:
    """The keyed ID-number hashes of the household's active members."""
    return list(
        await session.scalars(
            select(HouseholdMember.id_hash).where(
                HouseholdMember.household_id == household_id, HouseholdMember.active.is_(True)
            )
        )
    )


async def current_amount(session: AsyncSession, household_id: int) -> Decimal | None:
    """The monthly amount the registry pays: that of the newest decision applied (enrolment,
    change, a procedure's reduction); None after an exit or when none was given."""
    return await session.scalar(
        select(CategoryChange.monthly_amount)
        .where(CategoryChange.household_id == household_id, CategoryChange.applied_at.is_not(None))
        .order_by(CategoryChange.applied_at.desc(), CategoryChange.id.desc())
        .limit(1)
    )


async def next_reference_number(session: AsyncSession) -> int:
    return await next_number(session, REFERENCE_SEQUENCE)


async def list_changes(
    session: AsyncSession, household_id: int, *, before_id: int | None, limit: int
) -> list[HouseholdChange]:
    stmt = (
        select(HouseholdChange)
        .where(HouseholdChange.household_id == household_id)
        .order_by(HouseholdChange.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(HouseholdChange.id < before_id)
    return list(await session.scalars(stmt))


async def list_category_history(
    session: AsyncSession, household_id: int, *, before_id: int | None, limit: int
) -> list[CategoryChange]:
    stmt = (
        select(CategoryChange)
        .where(CategoryChange.household_id == household_id)
        .order_by(CategoryChange.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(CategoryChange.id < before_id)
    return list(await session.scalars(stmt))


async def list_ledger(
    session: AsyncSession,
    household_id: int,
    *,
    before: tuple[dt.date, int] | None,
    limit: int,
) -> list[LedgerEntry]:
    """The household's assistance timeline, latest date first."""
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.household_id == household_id)
        .order_by(LedgerEntry.date.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(tuple_(LedgerEntry.date, LedgerEntry.id) < before)
    return list(await session.scalars(stmt))


async def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


def is_active_person_violation(exc: IntegrityError) -> bool:
    """The partial unique index on active members' ID hash refused a row (PostgreSQL names
    the index, SQLite the column)."""
    text = str(exc.orig)
    return ACTIVE_PERSON_INDEX in text or "household_members.id_hash" in text


async def flush_members(session: AsyncSession) -> None:
    """Flush; a second active membership of one person (two requests racing past the check)
    surfaces as :class:`PersonInActiveHousehold`."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if is_active_person_violation(exc):
            raise PersonInActiveHousehold() from None
        raise


SEALED_COLUMNS = [
    EncryptedField(
        "household_member.id_number",
        HouseholdMember.id,
        HouseholdMember.id_enc,
        HouseholdMember.id_hash,
    ),
    EncryptedField("household.phone", Household.id, Household.phone_enc, Household.phone_hash),
]
"""Personal fields under the data key, for its rotation (:mod:`app.kit.rotation`)."""
