"""Response headers every answer carries, and the request id a caller may send."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What an incoming X-Request-ID may be to be echoed and logged: no spaces, no control or
# non-ASCII characters, nothing that could forge a log line or a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id(incoming: str | None) -> str:
    """The caller's ``X-Request-ID`` if well formed, else a fresh one."""
    if incoming is not None and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


class SecurityHeaders:
    """``X-Content-Type-Options: nosniff`` on every response, and ``Cache-Control: no-store``
    on every response under ``no_store_prefix`` (the API: it carries personal data, and a
    shared cache or the browser's disk must keep none of it). A route's own ``no-store``
    variant (``private, no-store``) is kept."""

    def __init__(self, app: ASGIApp, *, no_store_prefix: str) -> None:
        self.app = app
        self.no_store_prefix = no_store_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("root_path", "") + scope["path"]
        no_store = path == self.no_store_prefix or path.startswith(self.no_store_prefix + "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if no_store and "no-store" not in headers.get("cache-control", ""):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
