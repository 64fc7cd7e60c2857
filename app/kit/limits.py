"""A cap on request bodies, enforced before authentication or anything else reads them.

FastAPI reads a JSON body whole before it resolves the route's dependencies (authentication
among them), so without this a 100 MB body to any JSON route is buffered before its 401. Plain
ASGI, like ``RequestLog``: a declared ``Content-Length`` above the cap is refused at once, and
a body without one (chunked) is read here up to the cap and refused as soon as it passes it.

Multipart uploads to the routes named as streaming ones (attachments, imports) pass through:
they count their bytes as they arrive and have their own, larger limits. A multipart body sent
anywhere else meets the same cap as JSON, since a JSON route would read it whole too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPART = "multipart/form-data"


def too_large(max_bytes: int) -> JSONResponse:
    return JSONResponse(
        {
            "code": "body_too_large",
            "message": f"请求内容过大：不能超过 {max_bytes // 1024} KB",
        },
        status_code=413,
    )


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413 ``body_too_large``."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, streaming_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streaming_paths = [re.compile(pattern) for pattern in streaming_paths]

    def _streams_itself(self, scope: Scope, headers: Headers) -> bool:
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != MULTIPART:
            return False
        path = scope.get("root_path", "") + scope["path"]
        return any(pattern.fullmatch(path) for pattern in self.streaming_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._streams_itself(scope, headers):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit() or int(declared) > self.max_bytes:
                await too_large(self.max_bytes)(scope, receive, send)
                return
            # The server delivers no more than the declared length (h11 and httptools check).
            await self.app(scope, receive, send)
            return
        # No declared length (chunked, or HTTP/2): read the body here, at most the cap.
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break  # http.disconnect: the app learns of it in turn
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await too_large(self.max_bytes)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            return await receive()  # after the body: waits for the disconnect

        await self.app(scope, replay, send)
