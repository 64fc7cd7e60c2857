"""Staff accounts and agencies over their life: create, disable, enable, reset a password,
change role or region, issue and revoke agency keys. Every change is audited; an admin acts
only within its own region, and the last active admin cannot be locked out."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository as accounts_repository
from app.accounts import service as accounts
from app.accounts.passwords import check_password
from app.accounts.scopes import Role
from app.accounts.security import hash_password, new_opaque_token, token_digest
from app.admin import repository
from app.errors import Conflict, NotFound, OutsideJurisdiction
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.account import Agency, Staff
from app.regions.jurisdiction import covers
from app.regions.service import get_region


class StaffNotFound(NotFound):
    code = "staff_not_found"
    message = "工作人员账号不存在"


class AgencyNotFound(NotFound):
    code = "agency_not_found"
    message = "机构不存在"


class LastAdmin(Conflict):
    code = "last_admin"
    message = "不能停用或降级最后一个在用的系统管理员账号"


def _within(actor: Actor, region_code: str) -> None:
    """An admin may place accounts only in its own region and below."""
    if actor.kind == "system":
        return
    if not (actor.region_code and covers(actor.region_code, region_code)):
        raise OutsideJurisdiction()


async def _staff(
    session: AsyncSession, actor: Actor, staff_id: int, *, for_update: bool = False
) -> Staff:
    staff = await repository.get_staff(session, actor, staff_id, for_update=for_update)
    if staff is None:
        raise StaffNotFound()
    return staff


async def staff_by_username(session: AsyncSession, actor: Actor, username: str) -> Staff:
    """One account by username, within the actor's reach (the command line names accounts)."""
    staff = await repository.get_staff_by_username(session, actor, username)
    if staff is None:
        raise StaffNotFound()
    return staff


async def list_staff(
    session: AsyncSession,
    actor: Actor,
    *,
    role: str | None = None,
    region_code: str | None = None,
    active: bool | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[Staff]:
    """Staff accounts in the actor's region, oldest first, with their last login."""
    return await repository.list_staff(
        session,
        actor,
        role=role,
        region_code=region_code,
        active=active,
        after_id=after_id,
        limit=limit,
    )


async def create_staff(
    session: AsyncSession,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    region_code: str,
    display_name: str = "",
) -> Staff:
    """Create a staff account in the actor's region (audited; the password is never logged)."""
    await get_region(session, region_code)
    _within(actor, region_code)
    staff = await accounts.create_staff(
        session,
        username=username,
        password=password,
        role=role,
        region_code=region_code,
        display_name=display_name,
    )
    await audit.record(
        session,
        actor,
        "staff.created",
        "staff",
        staff.id,
        {"username": username, "role": role, "region_code": region_code},
    )
    return staff


async def _keep_an_admin(session: AsyncSession, staff: Staff) -> None:
    if staff.role != Role.admin or not staff.active:
        return
    admins = await repository.lock_active_admins(session)
    if not [admin_id for admin_id in admins if admin_id != staff.id]:
        raise LastAdmin()


async def update_staff(
    session: AsyncSession, actor: Actor, staff_id: int, changes: dict[str, Any]
) -> Staff:
    """Change an account's active flag, role, region or name; disabling ends its sessions at
    once (refresh tokens revoked; access tokens fail on the next request)."""
    staff = await _staff(session, actor, staff_id)
    new_role = changes.get("role", staff.role)
    removes_admin = staff.role == Role.admin and (
        new_role != Role.admin or changes.get("active") is False
    )
    if removes_admin:
        # Lock every active admin (this one included) in id order before anything else.
        await _keep_an_admin(session, staff)
    staff = await _staff(session, actor, staff_id, for_update=True)
    if "region_code" in changes:
        await get_region(session, changes["region_code"])
        _within(actor, changes["region_code"])
    before = {name: getattr(staff, name) for name in changes}
    for name, value in changes.items():
        setattr(staff, name, str(value) if name == "role" else value)
    after = {name: getattr(staff, name) for name in changes}
    changed = {name for name in changes if before[name] != after[name]}
    if not changed:
        return staff
    await session.flush()
    detail: dict[str, Any] = {
        "before": {n: before[n] for n in changed},
        "after": {n: after[n] for n in changed},
    }
    if "active" in changed:
        action = "staff.enabled" if staff.active else "staff.disabled"
        if not staff.active:
            detail["sessions_ended"] = await accounts_repository.revoke_subject_tokens(
                session, "staff", staff.id, now()
            )
    else:
        action = "staff.updated"
    await audit.record(session, actor, action, "staff", staff.id, detail)
    return staff


async def reset_password(
    session: AsyncSession, actor: Actor, staff_id: int, password: str
) -> Staff:
    """Set a new password and end the account's sessions (audited, the password never)."""
    staff = await _staff(session, actor, staff_id, for_update=True)
    check_password(password, staff.username)
    staff.password_hash = await asyncio.to_thread(hash_password, password)
    ended = await accounts_repository.revoke_subject_tokens(session, "staff", staff.id, now())
    await session.flush()
    await audit.record(
        session, actor, "staff.password_reset", "staff", staff.id, {"sessions_ended": ended}
    )
    return staff


async def list_agencies(
    session: AsyncSession, actor: Actor, *, after_id: int | None = None, limit: int = 100
) -> list[Agency]:
    """Agencies registered in the actor's region, oldest first (never their keys)."""
    return await repository.list_agencies(session, actor, after_id=after_id, limit=limit)


async def create_agency(
    session: AsyncSession, actor: Actor, *, name: str, region_code: str
) -> tuple[Agency, str]:
    """Register an agency in the actor's region; its key is returned once (audited)."""
    await get_region(session, region_code)
    _within(actor, region_code)
    agency, key = await accounts.create_agency(session, name=name, region_code=region_code)
    await audit.record(
        session,
        actor,
        "agency.created",
        "agency",
        agency.id,
        {"name": name, "region_code": region_code, "key_prefix": agency.key_prefix},
    )
    return agency, key


async def _agency(session: AsyncSession, actor: Actor, agency_id: int) -> Agency:
    agency = await repository.get_agency(session, actor, agency_id, for_update=True)
    if agency is None:
        raise AgencyNotFound()
    return agency


async def rotate_agency_key(
    session: AsyncSession, actor: Actor, agency_id: int
) -> tuple[Agency, str]:
    """Issue a new key; the old one stops working at once. The new key is returned once."""
    agency = await _agency(session, actor, agency_id)
    old_prefix = agency.key_prefix
    key = new_opaque_token("jzk")
    agency.api_key_hash = token_digest(key)
    agency.key_prefix = key[:10]
    agency.key_issued_at = now()
    agency.key_revoked_at = None
    await session.flush()
    await audit.record(
        session,
        actor,
        "agency.key_rotated",
        "agency",
        agency.id,
        {"old_key_prefix": old_prefix, "key_prefix": agency.key_prefix},
    )
    return agency, key


async def revoke_agency_key(session: AsyncSession, actor: Actor, agency_id: int) -> Agency:
    """Revoke the agency's key: its next call is 401 until a new key is issued."""
    agency = await _agency(session, actor, agency_id)
    if agency.key_revoked_at is None:
        agency.key_revoked_at = now()
        await session.flush()
        await audit.record(
            session,
            actor,
            "agency.key_revoked",
            "agency",
            agency.id,
            {"key_prefix": agency.key_prefix},
        )
    return agency


MAX_COLLEAGUES = 500


async def colleagues(
    session: AsyncSession, actor: Actor, *, role: Role | None, region_code: str | None
) -> list[Staff]:
    """Active case-working staff in the actor's jurisdiction (or a region inside it), by region
    then id, at most 500; a region outside it is 403 ``outside_jurisdiction``."""
    return await repository.list_colleagues(
        session,
        actor,
        role=None if role is None else role.value,
        region_code=region_code,
        limit=MAX_COLLEAGUES,
    )
