"""The WeChat server API the notifications use, async over httpx: the stable access token,
subscribe messages (``subscribeMessage.send``) and content checks (``msgSecCheck`` v2).

WeChat answers errors as HTTP 200 with an ``errcode``. The access token is one per mini program
for every process: kept encrypted in ``wechat_access_tokens`` and refreshed under the row's lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's single writer on SQLite), so three workers
that see it rejected at once refresh it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.config import Settings
from app.db.session import session_scope
from app.kit.crypto import get_cipher
from app.kit.timeutil import now
from app.models.notification import WeChatAccessToken

log = structlog.get_logger()

TOKEN_REJECTED = {40001, 42001, 40014}  # invalid, expired, malformed access token
NO_SUBSCRIPTION = 43101


# This process's copy of the shared token: (app id, token, expires at). Read again from the
# database when it nears expiry or WeChat refuses it.
_known: dict[str, tuple[str, datetime]] = {}


def forget_token() -> None:
    """Drop this process's copy (tests start each from the database)."""
    _known.clear()


class WeChatDown(Exception):
    """WeChat did not answer usefully (network, 5xx, busy, not JSON): try again later."""


class WeChatRefused(Exception):
    """WeChat answered with an error code."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        self.errcode = errcode
        super().__init__(f"微信返回错误 {errcode}: {errmsg[:80]}")


@dataclass(frozen=True, slots=True)
class CheckResult:
    suggest: str  # pass | review | risky
    label: int | None
    trace_id: str | None


class WeChatApi:
    """One mini program's server API. ``http`` is shared when given (the app's client)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._http = http

    def _url(self, path: str) -> str:
        return f"{self.settings.wechat_api_base.rstrip('/')}{path}"

    async def _post(
        self, path: str, body: dict[str, Any], params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        timeout = httpx.Timeout(self.settings.wechat_timeout_seconds)
        # ensure_ascii off: WeChat reads the Chinese as UTF-8 text.
        content = _json(body)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            if self._http is not None:
                response = await self._http.post(
                    self._url(path),
                    params=params,
                    content=content,
                    headers=headers,
                    timeout=timeout,
                )
            else:
                async with httpx.AsyncClient() as http:
                    response = await http.post(
                        self._url(path),
                        params=params,
                        content=content,
                        headers=headers,
                        timeout=timeout,
                    )
        except httpx.HTTPError as exc:
            raise WeChatDown(f"微信不可达：{type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise WeChatDown(f"微信返回 HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise WeChatDown("微信返回的不是 JSON") from exc
        if not isinstance(data, dict):
            raise WeChatDown("微信返回的不是 JSON 对象")
        errcode = int(data.get("errcode") or 0)
        if errcode == -1:
            raise WeChatDown("微信系统繁忙")
        if errcode:
            raise WeChatRefused(errcode, str(data.get("errmsg") or ""))
        return data

    async def stable_token(self, *, force_refresh: bool) -> tuple[str, int]:
        """``POST /cgi-bin/stable_token``: the token and its lifetime in seconds."""
        data = await self._post(
            "/cgi-bin/stable_token",
            {
                "grant_type": "client_credential",
                "appid": self.settings.wechat_appid,
                "secret": self.settings.wechat_secret,
                "force_refresh": force_refresh,
            },
        )
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatDown("微信未返回 access_token")
        return token, int(data.get("expires_in") or 7200)

    async def send_subscribe(self, token: str, message: dict[str, Any]) -> None:
        """``POST /cgi-bin/message/subscribe/send``."""
        await self._post("/cgi-bin/message/subscribe/send", message, params={"access_token": token})

    async def msg_sec_check(self, token: str, *, openid: str, content: str) -> CheckResult:
        """``POST /wxa/msg_sec_check`` (version 2, scene 1: 资料)."""
        data = await self._post(
            "/wxa/msg_sec_check",
            {"content": content, "version": 2, "scene": 1, "openid": openid},
            params={"access_token": token},
        )
        result = data.get("result") or {}
        suggest = str(result.get("suggest") or "review")
        label = result.get("label")
        return CheckResult(
            suggest=suggest if suggest in ("pass", "review", "risky") else "review",
            label=int(label) if isinstance(label, int) else None,
            trace_id=str(data["trace_id"])[:64] if data.get("trace_id") else None,
        )

    # -- the shared access token ---------------------------------------------------------

    async def access_token(self, *, rejected: str | None = None) -> str:
        """The shared token, fetched or refreshed under the row lock when it is missing,
        about to expire, or the ``rejected`` one (WeChat refused it: 40001/42001). A caller
        that waited on the lock while another refreshed gets the new token without a call."""
        appid = self.settings.wechat_appid or "-"
        cipher = get_cipher()
        margin = timedelta(seconds=self.settings.wechat_token_margin_seconds)
        known = _known.get(appid)
        if known is not None and known[0] != rejected and known[1] - margin > now():
            return known[0]
        # Then the row, without a lock: deliveries do not queue on it.
        async with session_scope() as session:
            row = await session.get(WeChatAccessToken, appid)
            if row is not None and row.token_enc and row.expires_at is not None:
                stored = cipher.decrypt(row.token_enc)
                if row.expires_at - margin > now() and stored != rejected:
                    _known[appid] = (stored, row.expires_at)
                    return stored
        async with session_scope() as session:
            dialect = session.get_bind().dialect.name
            insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
            await session.execute(
                insert_(WeChatAccessToken)
                .values(appid=appid, refreshes=0)
                .on_conflict_do_nothing(index_elements=["appid"])
            )
            row = await session.scalar(
                select(WeChatAccessToken).where(WeChatAccessToken.appid == appid).with_for_update()
            )
            assert row is not None
            current = cipher.decrypt(row.token_enc) if row.token_enc else None
            fresh = row.expires_at is not None and row.expires_at - margin > now()
            if current and fresh and current != rejected:
                assert row.expires_at is not None
                _known[appid] = (current, row.expires_at)
                return current  # another process refreshed it while this one waited
            # force_refresh only when WeChat refused the very token we hold: otherwise the
            # stable token (valid for everyone) is what we need.
            token, expires_in = await self.stable_token(
                force_refresh=rejected is not None and current == rejected
            )
            row.token_enc = cipher.encrypt(token)
            row.expires_at = now() + timedelta(seconds=expires_in)
            row.refreshed_at = now()
            row.refreshes = row.refreshes + 1
            log.info("wechat_token_refreshed", forced=current == rejected)
        _known[appid] = (token, now() + timedelta(seconds=expires_in))
        return token


def _json(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
