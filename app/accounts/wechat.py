"""WeChat ``jscode2session`` and ``phonenumber.getPhoneNumber``: an async client that never
blocks the event loop.

WeChat reports errors as HTTP 200 with an ``errcode``. ``fake`` mode (dev and test only) turns a
code ``X`` into openid ``fake-X`` without calling anyone; tests fake WeChat at its HTTP boundary
instead, so ``live`` mode's code is what they drive.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from app.config import Settings, WeChatMode
from app.errors import AppError, Unauthorized

log = structlog.get_logger()

CODE_INVALID = {40029, 40163, 40226}
RATE_LIMITED = 45011
BUSY = -1
ATTEMPTS = 2
OPENID_MAX_LENGTH = 128  # the residents.openid column
TOKEN_REJECTED = {40001, 42001, 40014}  # invalid, expired, malformed access token

# ``access_token(rejected=...)``: the shared server token, refreshed when WeChat refused it.
TokenSource = Callable[..., Awaitable[str]]


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None
    session_key: str | None


class WeChatUnavailable(AppError):
    status = 503
    code = "wechat_unavailable"
    message = "微信服务暂时不可用，请稍后重试"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})


class WeChatRateLimited(AppError):
    status = 429
    code = "wechat_rate_limited"
    message = "登录过于频繁，请稍后再试"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "60"})


class WeChatClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._http = http

    async def code_to_session(self, code: str) -> WeChatSession:
        if self._settings.wechat_mode == WeChatMode.fake:
            openid = f"fake-{code}"
            if len(openid) > OPENID_MAX_LENGTH:
                # Real codes are 32 characters; WeChat refuses anything else as invalid.
                raise Unauthorized("微信登录凭证无效或已使用", code="wechat_code_invalid")
            return WeChatSession(openid=openid, unionid=None, session_key=None)
        params = {
            "appid": self._settings.wechat_appid,
            "secret": self._settings.wechat_secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        url = f"{self._settings.wechat_api_base.rstrip('/')}/sns/jscode2session"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                payload = await self._get(url, params)
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("wechat_unreachable", attempt=attempt, error_type=type(exc).__name__)
                payload = {"errcode": BUSY}
            errcode = int(payload.get("errcode") or 0)
            if errcode == 0 and isinstance(payload.get("openid"), str):
                return WeChatSession(
                    openid=payload["openid"],
                    unionid=payload.get("unionid"),
                    session_key=payload.get("session_key"),
                )
            if errcode in CODE_INVALID:
                raise Unauthorized("微信登录凭证无效或已使用", code="wechat_code_invalid")
            if errcode == RATE_LIMITED:
                raise WeChatRateLimited()
            log.warning("wechat_error", attempt=attempt, errcode=errcode)
            if attempt < ATTEMPTS:
                await asyncio.sleep(0.2 * attempt)
        raise WeChatUnavailable()

    async def phone_number(self, code: str, access_token: TokenSource) -> str:
        """``phonenumber.getPhoneNumber``: the phone number a ``getPhoneNumber`` button's code
        stands for (mainland numbers without the country code). ``fake`` mode turns a code into
        a fixed number of the 139 range without calling anyone."""
        if self._settings.wechat_mode == WeChatMode.fake:
            digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
            return f"139{digest % 10**8:08d}"
        url = f"{self._settings.wechat_api_base.rstrip('/')}/wxa/business/getuserphonenumber"
        rejected: str | None = None
        for attempt in range(1, ATTEMPTS + 1):
            token = await access_token(rejected=rejected)
            try:
                payload = await self._post(url, {"access_token": token}, {"code": code})
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("wechat_unreachable", attempt=attempt, error_type=type(exc).__name__)
                payload = {"errcode": BUSY}
            errcode = int(payload.get("errcode") or 0)
            info = payload.get("phone_info")
            if errcode == 0 and isinstance(info, dict):
                number = info.get("purePhoneNumber") or info.get("phoneNumber")
                if isinstance(number, str) and number:
                    return number
            if errcode in CODE_INVALID or errcode == 40013:
                # 400, not 401: the resident's session is fine, only this code is spent.
                raise AppError("手机号授权凭证无效或已使用，请重新授权", code="phone_code_invalid")
            if errcode == RATE_LIMITED:
                raise WeChatRateLimited()
            rejected = token if errcode in TOKEN_REJECTED else None
            log.warning("wechat_error", attempt=attempt, errcode=errcode)
        raise WeChatUnavailable()

    async def _post(self, url: str, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        timeout = httpx.Timeout(self._settings.wechat_timeout_seconds)
        if self._http is not None:
            response = await self._http.post(url, params=params, json=body, timeout=timeout)
        else:
            async with httpx.AsyncClient() as http:
                response = await http.post(url, params=params, json=body, timeout=timeout)
        if response.status_code >= 500:
            return {"errcode": BUSY}
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("unexpected payload")
        return data

    async def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        timeout = httpx.Timeout(self._settings.wechat_timeout_seconds)
        if self._http is not None:
            response = await self._http.get(url, params=params, timeout=timeout)
        else:
            async with httpx.AsyncClient() as http:
                response = await http.get(url, params=params, timeout=timeout)
        if response.status_code >= 500:
            return {"errcode": BUSY}
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("unexpected payload")
        return data
