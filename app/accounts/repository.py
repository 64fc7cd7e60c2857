"""SQL for accounts: staff, residents, agencies, refresh tokens, login failures."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.kit.rotation import EncryptedField
from app.models.account import Agency, LoginFailure, RefreshToken, Resident, Staff
from app.models.region import Region


async def staff_by_username(session: AsyncSession, username: str) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.username == username))


async def staff_by_openid(session: AsyncSession, openid: str) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.wechat_openid == openid))


async def staff_by_id(session: AsyncSession, staff_id: int) -> Staff | None:
    return await session.get(Staff, staff_id)


async def resident_by_openid(session: AsyncSession, openid: str) -> Resident | None:
    return await session.scalar(select(Resident).where(Resident.openid == openid))


async def resident_for_openid(session: AsyncSession, openid: str, unionid: str | None) -> Resident:
    """The resident with this openid, created on first login. Two parallel first logins of
    one user (a mini program calling wx.login twice at start-up) meet on the unique openid:
    the later one takes the row the earlier one committed."""
    resident = await resident_by_openid(session, openid)
    if resident is not None:
        return resident
    resident = Resident(openid=openid, unionid=unionid)
    try:
        async with session.begin_nested():
            session.add(resident)
            await session.flush()
    except IntegrityError:
        existing = await resident_by_openid(session, openid)
        if existing is None:
            raise
        return existing
    return resident


async def lock_login_attempts(session: AsyncSession, username: str, client: str) -> None:
    """Serialise login attempts per (username, client address) pair and per client address
    until the transaction ends, so parallel guesses are counted one after another (PostgreSQL
    advisory locks; SQLite writers are serialised already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # Always the pair first, then the client: the same order everywhere, no deadlock.
    for name in (f"login-pair:{client}:{username}", f"login-client:{client}"):
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# Built once: every resident request runs it (building a statement costs more than running
# a cached one).
_RESIDENT_BY_ID = select(Resident).where(Resident.id == bindparam("resident_id"))


async def resident_by_id(session: AsyncSession, resident_id: int) -> Resident | None:
    return await session.scalar(_RESIDENT_BY_ID, {"resident_id": resident_id})


async def agency_by_key_hash(session: AsyncSession, key_hash: str) -> Agency | None:
    return await session.scalar(
        select(Agency).where(
            Agency.api_key_hash == key_hash,
            Agency.active.is_(True),
            Agency.key_revoked_at.is_(None),
        )
    )


async def pair_failures(
    session: AsyncSession, username: str, client: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failures this username had from this address since ``since``, and the last."""
    row = (
        await session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.username == username,
                LoginFailure.client == client,
                LoginFailure.at >= since,
            )
        )
    ).one()
    return int(row[0] or 0), row[1]


async def client_failures(
    session: AsyncSession, client: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failures came from this address since ``since``, whatever the username, and
    the oldest of them."""
    row = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.client == client, LoginFailure.at >= since
            )
        )
    ).one()
    return int(row[0] or 0), row[1]


async def add_failure(session: AsyncSession, username: str, client: str, at: datetime) -> None:
    session.add(LoginFailure(username=username, client=client, at=at))
    await session.flush()


async def clear_failures(session: AsyncSession, username: str, client: str) -> None:
    """A success ends the streak of this pair only: failures from other addresses stand."""
    await session.execute(
        delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.client == client)
    )


async def purge_failures(session: AsyncSession, before: datetime) -> int:
    """Failed logins older than any throttle still counts them; the number deleted."""
    result = await session.execute(delete(LoginFailure).where(LoginFailure.at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def refresh_token_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    )


async def revoke_family(session: AsyncSession, family_id: str, at: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at, replaced_pair_enc=None)
        .execution_options(synchronize_session=False)
    )


async def forget_replaced_pairs(session: AsyncSession, family_id: str, before: datetime) -> None:
    """Drop the kept pairs of a family's tokens rotated before ``before`` (past their grace)."""
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.family_id == family_id,
            RefreshToken.used_at < before,
            RefreshToken.replaced_pair_enc.is_not(None),
        )
        .values(replaced_pair_enc=None)
        .execution_options(synchronize_session=False)
    )


async def require_region(session: AsyncSession, code: str) -> None:
    """The region an account belongs to exists; 404 ``region_not_found`` otherwise."""
    if await session.get(Region, code) is None:
        raise NotFound("行政区划不存在", code="region_not_found")


SEALED_COLUMNS = [
    EncryptedField("resident.session_key", Resident.id, Resident.session_key_enc),
    EncryptedField("refresh_token.replaced_pair", RefreshToken.id, RefreshToken.replaced_pair_enc),
]
"""Personal fields under the data key, for its rotation (:mod:`app.kit.rotation`)."""


async def revoke_subject_tokens(
    session: AsyncSession, subject_kind: str, subject_id: int, at: datetime
) -> int:
    """End every session of one account: all its live refresh tokens, in one statement."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.subject_kind == subject_kind,
            RefreshToken.subject_id == subject_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=at, replaced_pair_enc=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
