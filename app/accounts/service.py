"""Logins, token issue and rotation, and account creation."""

from __future__ import annotations

import asyncio
import json
import math
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository
from app.accounts.passwords import check_password
from app.accounts.scopes import Role
from app.accounts.security import (
    create_access_token,
    hash_password,
    new_opaque_token,
    token_digest,
    verify_password,
)
from app.accounts.wechat import WeChatClient
from app.config import get_settings
from app.db.session import session_scope
from app.errors import AppError, Invalid, Unauthorized
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import now
from app.models.account import Agency, RefreshToken, Staff


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user_id: int
    role: str


class AccountDisabled(AppError):
    status = 403
    code = "account_disabled"
    message = "账号已停用，请联系系统管理员"


class LoginThrottled(AppError):
    status = 429
    code = "login_throttled"
    message = "登录失败次数过多，请稍后再试"


async def _issue(
    session: AsyncSession, kind: str, subject_id: int, role: str, family_id: str | None = None
) -> IssuedTokens:
    access, lifetime = create_access_token(kind, subject_id, role)
    refresh = new_opaque_token("rt")
    issued = now()
    session.add(
        RefreshToken(
            token_hash=token_digest(refresh),
            family_id=family_id or secrets.token_hex(16),
            subject_kind=kind,
            subject_id=subject_id,
            created_at=issued,
            expires_at=issued + timedelta(days=get_settings().refresh_token_days),
        )
    )
    await session.flush()
    return IssuedTokens(access, refresh, lifetime, subject_id, role)


def lockout_seconds(failures: int) -> int:
    """How long a (username, address) pair is locked after its ``failures``-th failure: none
    below the threshold, then the first lockout, doubling with each further failure up to the
    maximum."""
    settings = get_settings()
    beyond = failures - settings.login_max_failures_per_user
    if beyond < 0:
        return 0
    return min(
        settings.login_lockout_seconds * 2 ** min(beyond, 20), settings.login_lockout_max_seconds
    )


def _seconds_until(moment: datetime, current: datetime) -> int:
    return max(0, math.ceil((moment - current).total_seconds()))


async def _throttled_for(session: AsyncSession, username: str, client: str) -> int:
    """Seconds this attempt must wait (0: go ahead): the pair's lockout, or the address's
    failures over the window reaching the per-address limit."""
    settings = get_settings()
    current = now()
    memory = timedelta(hours=settings.login_failure_memory_hours)
    failures, last = await repository.pair_failures(session, username, client, current - memory)
    wait = 0
    if last is not None and (locked := lockout_seconds(failures)):
        wait = _seconds_until(last + timedelta(seconds=locked), current)
    window = timedelta(minutes=settings.login_failure_window_minutes)
    from_client, oldest = await repository.client_failures(session, client, current - window)
    if from_client >= settings.login_max_failures_per_client and oldest is not None:
        wait = max(wait, _seconds_until(oldest + window, current), 1)
    return wait


async def _record_failure(
    session: AsyncSession, anonymous: Actor, username: str, staff: Staff | None
) -> None:
    """Keep a failed attempt, audit it, and audit the lockout it starts, if any."""
    settings = get_settings()
    client = anonymous.client
    current = now()
    await repository.add_failure(session, username, client, current)
    staff_id = staff.id if staff else None
    await audit.record(
        session, anonymous, "staff.login_failed", "staff", staff_id, {"username": username}
    )
    memory = timedelta(hours=settings.login_failure_memory_hours)
    failures, _ = await repository.pair_failures(session, username, client, current - memory)
    if locked := lockout_seconds(failures):
        detail = {"username": username, "scope": "pair", "failures": failures, "seconds": locked}
        await audit.record(session, anonymous, "staff.login_locked", "staff", staff_id, detail)
    window = timedelta(minutes=settings.login_failure_window_minutes)
    from_client, _ = await repository.client_failures(session, client, current - window)
    if from_client == settings.login_max_failures_per_client:
        detail = {
            "scope": "client",
            "failures": from_client,
            "seconds": int(window.total_seconds()),
        }
        await audit.record(session, anonymous, "staff.login_locked", "staff", None, detail)


class WeChatAlreadyBound(AppError):
    status = 409
    code = "wechat_already_bound"
    message = "此微信已绑定其他工作人员账号，请先在原账号解除绑定"


class WeChatNotBound(AppError):
    status = 401
    code = "wechat_not_bound"
    message = "此微信尚未绑定工作人员账号，请先用用户名和密码绑定"


async def staff_login(
    username: str, password: str, client: str, *, bind_openid: str | None = None
) -> IssuedTokens:
    """Check a staff password; throttled per (username, client address) pair with growing
    lockouts, and per client address, so an attacker elsewhere cannot lock the user out.
    With ``bind_openid`` the right password also binds that mini program openid to the account
    (audited ``staff.wechat_bound``), replacing any earlier binding of the account.

    Runs in its own transaction so a failed attempt is recorded even though the answer is 401.
    """
    anonymous = Actor("anonymous", None, "anonymous", client=client)
    async with session_scope() as session:
        await repository.lock_login_attempts(session, username, client)
        wait = await _throttled_for(session, username, client)
        if wait:
            await audit.record(
                session, anonymous, "staff.login_throttled", "staff", None, {"username": username}
            )
            failure: AppError = LoginThrottled(headers={"Retry-After": str(wait)})
        else:
            staff = await repository.staff_by_username(session, username)
            # argon2 is deliberately slow: verify off the event loop.
            ok = await asyncio.to_thread(
                verify_password, staff.password_hash if staff else None, password
            )
            if staff is not None and ok and staff.active:
                await repository.clear_failures(session, username, client)
                staff.last_login_at = now()
                actor = Actor("staff", staff.id, staff.role, staff.region_code, client)
                if bind_openid is not None:
                    await _bind(session, actor, staff, bind_openid)
                await audit.record(session, actor, "staff.login", "staff", staff.id)
                return await _issue(session, "staff", staff.id, staff.role)
            if staff is not None and ok:
                # Only the right password learns that the account is disabled.
                await audit.record(session, anonymous, "staff.login_disabled", "staff", staff.id)
                failure = AccountDisabled()
            else:
                await _record_failure(session, anonymous, username, staff)
                failure = Unauthorized("用户名或密码错误", code="invalid_credentials")
    # Raised after the block so the failure and its audit event are committed.
    raise failure


async def wechat_login(session: AsyncSession, wechat: WeChatClient, code: str) -> IssuedTokens:
    """Exchange a mini program login code; the resident is created on first login."""
    result = await wechat.code_to_session(code)
    resident = await repository.resident_for_openid(session, result.openid, result.unionid)
    session_key_enc = get_cipher().encrypt(result.session_key) if result.session_key else None
    if result.unionid:
        resident.unionid = result.unionid
    resident.session_key_enc = session_key_enc
    resident.last_login_at = now()
    await session.flush()
    return await _issue(session, "resident", resident.id, "resident")


async def _bind(session: AsyncSession, actor: Actor, staff: Staff, openid: str) -> None:
    holder = await repository.staff_by_openid(session, openid)
    if holder is not None and holder.id != staff.id:
        raise WeChatAlreadyBound()
    if staff.wechat_openid != openid:
        detail = {"replaced": staff.wechat_openid is not None}
        staff.wechat_openid = openid
        await session.flush()
        await audit.record(session, actor, "staff.wechat_bound", "staff", staff.id, detail)


async def staff_wechat_login(
    session: AsyncSession, wechat: WeChatClient, code: str, client: str
) -> IssuedTokens:
    """Staff sign in with ``wx.login`` once their WeChat is bound to their account."""
    result = await wechat.code_to_session(code)
    staff = await repository.staff_by_openid(session, result.openid)
    if staff is None:
        raise WeChatNotBound()
    if not staff.active:
        raise AccountDisabled()
    staff.last_login_at = now()
    actor = Actor("staff", staff.id, staff.role, staff.region_code, client)
    await audit.record(session, actor, "staff.login", "staff", staff.id, {"via": "wechat"})
    return await _issue(session, "staff", staff.id, staff.role)


async def staff_wechat_unbind(session: AsyncSession, actor: Actor) -> None:
    """The signed-in staff member removes their WeChat binding (audited)."""
    staff = await repository.staff_by_id(session, actor.id) if actor.id is not None else None
    if staff is None or staff.wechat_openid is None:
        return
    staff.wechat_openid = None
    await audit.record(session, actor, "staff.wechat_unbound", "staff", staff.id)


def _replayed(token: RefreshToken, current: datetime) -> IssuedTokens | None:
    """The pair a rotated token was rotated into, if it is presented again within the grace
    period (a retried request whose answer was lost, two tabs refreshing at once)."""
    grace = timedelta(seconds=get_settings().refresh_grace_seconds)
    if token.used_at is None or token.replaced_pair_enc is None or token.revoked_at is not None:
        return None
    if current - token.used_at > grace:
        return None
    return IssuedTokens(**json.loads(get_cipher().decrypt(token.replaced_pair_enc)))


async def refresh(refresh_token: str) -> IssuedTokens:
    """Rotate a refresh token. The same token presented again within the grace period gets
    the same new pair; later, or revoked, it revokes its whole family (token theft)."""
    revoked = False
    async with session_scope() as session:
        # Locked (FOR UPDATE; SQLite: BEGIN IMMEDIATE): a concurrent presentation of the same
        # token waits here, then finds it rotated and gets the pair this one issues.
        token = await repository.refresh_token_by_hash(session, token_digest(refresh_token))
        current = now()
        if token is None:
            raise Unauthorized("刷新凭证无效", code="invalid_refresh_token")
        if (replayed := _replayed(token, current)) is not None:
            return replayed
        if token.used_at is not None or token.revoked_at is not None:
            await repository.revoke_family(session, token.family_id, current)
            revoked = True
        elif token.expires_at <= current:
            raise Unauthorized("刷新凭证已过期", code="invalid_refresh_token")
        else:
            role = "resident"
            if token.subject_kind == "staff":
                staff = await repository.staff_by_id(session, token.subject_id)
                if staff is None or not staff.active:
                    raise Unauthorized("账号已停用", code="invalid_refresh_token")
                role = staff.role
            token.used_at = current
            issued = await _issue(
                session, token.subject_kind, token.subject_id, role, token.family_id
            )
            token.replaced_pair_enc = get_cipher().encrypt(json.dumps(asdict(issued)))
            grace = timedelta(seconds=get_settings().refresh_grace_seconds)
            await repository.forget_replaced_pairs(session, token.family_id, current - grace)
            return issued
    assert revoked
    raise Unauthorized("刷新凭证已使用，请重新登录", code="invalid_refresh_token")


class UsernameTaken(AppError):
    status = 409
    code = "username_taken"
    message = "用户名已被使用"


async def create_staff(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: str,
    region_code: str,
    display_name: str = "",
) -> Staff:
    try:
        Role(role)
    except ValueError as exc:
        raise Invalid(f"未知角色：{role}", code="invalid_role") from exc
    check_password(password, username)
    await repository.require_region(session, region_code)
    if await repository.staff_by_username(session, username):
        raise UsernameTaken()
    staff = Staff(
        username=username,
        password_hash=await asyncio.to_thread(hash_password, password),
        role=role,
        region_code=region_code,
        display_name=display_name,
    )
    session.add(staff)
    await session.flush()
    return staff


async def create_agency(
    session: AsyncSession, *, name: str, region_code: str
) -> tuple[Agency, str]:
    """Register an agency; the API key is returned once and only its hash is kept."""
    await repository.require_region(session, region_code)
    key = new_opaque_token("jzk")
    agency = Agency(
        name=name,
        region_code=region_code,
        api_key_hash=token_digest(key),
        key_prefix=key[:10],
        key_issued_at=now(),
    )
    session.add(agency)
    await session.flush()
    return agency, key
