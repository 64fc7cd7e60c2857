from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.accounts import service
from app.accounts.dependencies import Client, CurrentStaff, CurrentUser
from app.accounts.repository import staff_by_id
from app.accounts.schemas import (
    Me,
    RefreshRequest,
    StaffLogin,
    StaffWeChatBind,
    TokenPair,
    TokenUser,
    WeChatLogin,
)
from app.accounts.scopes import ROLE_SCOPES, Role
from app.accounts.service import IssuedTokens
from app.accounts.wechat import WeChatClient
from app.config import get_settings
from app.db.deps import Session

router = APIRouter(tags=["auth"])


def _pair(tokens: IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        user=TokenUser(id=tokens.user_id, role=tokens.role),
    )


@router.post("/auth/wechat/login", response_model=TokenPair)
async def wechat_login(body: WeChatLogin, session: Session, request: Request) -> TokenPair:
    """Mini program login: exchange a ``wx.login`` code with WeChat (jscode2session)."""
    client = WeChatClient(get_settings(), getattr(request.app.state, "http", None))
    return _pair(await service.wechat_login(session, client, body.code))


@router.post("/auth/staff/login", response_model=TokenPair)
async def staff_login(body: StaffLogin, client: Client) -> TokenPair:
    """Staff login with username and password; repeated failures are throttled."""
    return _pair(await service.staff_login(body.username, body.password, client))


@router.post("/auth/staff/wechat/bind", response_model=TokenPair)
async def staff_wechat_bind(body: StaffWeChatBind, client: Client, request: Request) -> TokenPair:
    """Bind the mini program's WeChat (a ``wx.login`` code) to a staff account, proven by its
    username and password (throttled like a login); answers with the staff tokens."""
    wechat = WeChatClient(get_settings(), getattr(request.app.state, "http", None))
    result = await wechat.code_to_session(body.code)
    return _pair(
        await service.staff_login(body.username, body.password, client, bind_openid=result.openid)
    )


@router.post("/auth/staff/wechat/login", response_model=TokenPair)
async def staff_wechat_login(
    body: WeChatLogin, session: Session, client: Client, request: Request
) -> TokenPair:
    """Staff sign in to the mini program with a ``wx.login`` code once their WeChat is bound."""
    wechat = WeChatClient(get_settings(), getattr(request.app.state, "http", None))
    return _pair(await service.staff_wechat_login(session, wechat, body.code, client))


@router.delete("/auth/staff/wechat", status_code=204, response_class=Response)
async def staff_wechat_unbind(actor: CurrentStaff, session: Session) -> Response:
    """Remove the signed-in staff member's WeChat binding."""
    await service.staff_wechat_unbind(session, actor)
    return Response(status_code=204)


@router.post("/auth/refresh", response_model=TokenPair)
async def refresh(body: RefreshRequest) -> TokenPair:
    """New tokens for a refresh token; each refresh token works once."""
    return _pair(await service.refresh(body.refresh_token))


@router.get("/me", response_model=Me)
async def me(actor: CurrentUser, session: Session) -> Me:
    """The current user."""
    if actor.kind == "staff" and actor.id is not None:
        staff = await staff_by_id(session, actor.id)
        return Me(
            id=actor.id,
            role=actor.role,
            kind="staff",
            region_code=actor.region_code,
            display_name=staff.display_name if staff else None,
            scopes=sorted(ROLE_SCOPES.get(Role(actor.role), frozenset())),
        )
    return Me(id=actor.id, role=actor.role, kind=actor.kind)
