"""Groups and key people (tags on members, the key-target flag), and needs: what a worker
assesses about a household before matching it with projects."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.assistance import repository
from app.assistance.errors import InvalidTransition, member_not_found, need_not_found
from app.assistance.schemas import KeyTargetIn, NeedClose, NeedCreate
from app.assistance.vocabulary import Group, groups_of, service_bit
from app.households.service import readable
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import local_today, now
from app.models.assistance import MemberTag, Need
from app.models.household import Household
from app.schedules import recompute as schedules

# ---- groups and key people ----


async def groups_of_household(
    session: AsyncSession, actor: Actor, household_id: int
) -> dict[str, Any]:
    household = await readable(session, actor, household_id)
    members = await repository.active_members(session, household.id)
    tags = await repository.member_tags(session, household.id)
    found = await repository.profile(session, household.id)
    by_member: dict[int, list[str]] = {}
    for tag in tags:
        by_member.setdefault(tag.member_id, []).append(tag.tag)
    return {
        "household_id": household.id,
        "key_target": bool(found and found.key_target),
        "key_reason": found.key_reason if found else "",
        "groups": groups_of(found.group_mask) if found else [],
        "members": [
            {"member_id": m.id, "name": m.name, "tags": by_member.get(m.id, [])} for m in members
        ],
    }


async def _member_of(session: AsyncSession, household: Household, member_id: int) -> None:
    members = await repository.active_members(session, household.id)
    if all(m.id != member_id for m in members):
        raise member_not_found()


async def tag_member(
    session: AsyncSession, actor: Actor, household_id: int, member_id: int, tag: Group
) -> dict[str, Any]:
    """Put a member in a group (idempotent); the household's groups follow; audited."""
    household = await readable(session, actor, household_id)
    await _member_of(session, household, member_id)
    existing = {(t.member_id, t.tag) for t in await repository.member_tags(session, household.id)}
    if (member_id, tag.value) not in existing:
        try:
            async with session.begin_nested():
                await repository.add(
                    session,
                    MemberTag(
                        household_id=household.id,
                        member_id=member_id,
                        tag=tag.value,
                        created_by_id=actor.id,
                    ),
                )
        except IntegrityError:
            pass  # the same tag added by a concurrent request
        await repository.refresh_group_mask(session, household.id)
        await schedules.recompute_household(session, household.id)  # close-watch groups
        await audit.record(
            session,
            actor,
            "household.tag_added",
            "household",
            household.id,
            {"member_id": member_id, "tag": tag.value},
        )
    return await groups_of_household(session, actor, household.id)


async def untag_member(
    session: AsyncSession, actor: Actor, household_id: int, member_id: int, tag: Group
) -> dict[str, Any]:
    """Take a member out of a group; audited."""
    household = await readable(session, actor, household_id)
    await _member_of(session, household, member_id)
    for row in await repository.member_tags(session, household.id):
        if row.member_id == member_id and row.tag == tag.value:
            await session.delete(row)
            await session.flush()
            await repository.refresh_group_mask(session, household.id)
            await schedules.recompute_household(session, household.id)
            await audit.record(
                session,
                actor,
                "household.tag_removed",
                "household",
                household.id,
                {"member_id": member_id, "tag": tag.value},
            )
    return await groups_of_household(session, actor, household.id)


async def set_key_target(
    session: AsyncSession, actor: Actor, household_id: int, body: KeyTargetIn
) -> dict[str, Any]:
    """Flag (or unflag) a household as a key target (重点对象); audited."""
    household = await readable(session, actor, household_id)
    found = await repository.ensure_profile(session, household.id)
    found.key_target = body.key_target
    found.key_reason = body.reason if body.key_target else ""
    await session.flush()
    await schedules.recompute_household(session, household.id)  # key targets: high-risk cycle
    await audit.record(
        session,
        actor,
        "household.key_target",
        "household",
        household.id,
        {"key_target": body.key_target, "reason": body.reason},
    )
    return await groups_of_household(session, actor, household.id)


# ---- needs ----


def need_view(need: Need) -> dict[str, Any]:
    return {
        "id": need.id,
        "household_id": need.household_id,
        "member_id": need.member_id,
        "service_type": need.service_type,
        "urgency": need.urgency,
        "source": need.source,
        "source_id": need.source_id,
        "note": get_cipher().decrypt(need.note_enc) if need.note_enc else None,
        "status": need.status,
        "closed_reason": need.closed_reason,
        "created_at": need.created_at,
        "closed_at": need.closed_at,
    }


async def create_need(
    session: AsyncSession, actor: Actor, household_id: int, body: NeedCreate
) -> Need:
    """Record a need assessed by a worker; the note is sealed; audited."""
    household = await readable(session, actor, household_id)
    if body.member_id is not None:
        await _member_of(session, household, body.member_id)
    need = Need(
        household_id=household.id,
        member_id=body.member_id,
        region_code=household.region_code,
        service_type=body.service_type.value,
        service_bit=service_bit(body.service_type.value),
        urgency=body.urgency.value,
        source=body.source.value,
        source_id=body.source_id,
        note_enc=get_cipher().encrypt(body.note) if body.note else None,
        status="open",
        created_by_id=actor.id,
    )
    await repository.add(session, need)
    await audit.record(
        session,
        actor,
        "need.created",
        "household",
        household.id,
        {"need_id": need.id, "service_type": need.service_type, "urgency": need.urgency},
    )
    return need


async def close_need(
    session: AsyncSession, actor: Actor, household_id: int, need_id: int, body: NeedClose
) -> Need:
    """Mark a need met, or closed as no longer needed; audited."""
    household = await readable(session, actor, household_id)
    need = await repository.get_need(session, actor, need_id, for_update=True)
    if need is None or need.household_id != household.id:
        raise need_not_found()
    if need.status != "open" or body.outcome.value == "open":
        raise InvalidTransition("只能关闭未满足的需求")
    need.status = body.outcome.value
    need.closed_reason = body.reason
    need.closed_at = now()
    await session.flush()
    await audit.record(
        session,
        actor,
        f"need.{need.status}",
        "household",
        household.id,
        {"need_id": need.id, "reason": body.reason},
    )
    return need


def today_or(on: date | None) -> date:
    return on or local_today()
