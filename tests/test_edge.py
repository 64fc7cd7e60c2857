"""The edge of the API: the request body cap, security headers and request ids."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import structlog
from structlog.testing import capture_logs

from tests.helpers import application_body, login_resident, login_staff
from tests.intake.support import PNG, submit
from tests.monitoring.helpers import DISTRICT, sample

KB = 1024
CAP = 256 * KB  # the default JIUZHU_MAX_JSON_BODY_KB
CHUNK = 64 * KB
HUNDRED_MB = 100 * 1024 * KB


class Body:
    """A lazily produced request body that counts how much of it the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            chunk = b" " * min(CHUNK, self.total - self.pulled)
            self.pulled += len(chunk)
            yield chunk


def _json_of_size(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    empty = b'{"x":""}'
    return b'{"x":"' + b"a" * (size - len(empty)) + b'"}'


async def test_a_huge_declared_body_is_413_before_authentication_and_unread(
    client: httpx.AsyncClient,
) -> None:
    body = Body(HUNDRED_MB)
    response = await client.post(
        "/applications",
        content=body,
        headers={"Content-Type": "application/json", "Content-Length": str(HUNDRED_MB)},
    )
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body_too_large"
    assert "256 KB" in response.json()["message"]
    assert body.pulled <= CHUNK  # refused on the header: nothing read but what httpx sent first


async def test_a_huge_chunked_body_is_413_once_it_passes_the_cap(
    client: httpx.AsyncClient,
) -> None:
    body = Body(HUNDRED_MB)
    response = await client.post(
        "/applications", content=body, headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "body_too_large"
    assert body.pulled <= CAP + CHUNK  # stopped as soon as it passed the cap


async def test_bodies_up_to_the_cap_reach_the_route(client: httpx.AsyncClient) -> None:
    for content, chunked in ((_json_of_size(CAP), False), (_json_of_size(CAP), True)):
        if chunked:

            async def stream(data: bytes = content) -> AsyncIterator[bytes]:
                for start in range(0, len(data), CHUNK):
                    yield data[start : start + CHUNK]

            response = await client.post(
                "/applications", content=stream(), headers={"Content-Type": "application/json"}
            )
        else:
            response = await client.post(
                "/applications", content=content, headers={"Content-Type": "application/json"}
            )
        # Through the cap to the route, whose caller is unknown: 401 as ever.
        assert response.status_code == 401, (chunked, response.text)
    over = await client.post(
        "/applications",
        content=_json_of_size(CAP + 1),
        headers={"Content-Type": "application/json"},
    )
    assert over.status_code == 413


async def test_multipart_to_a_json_route_meets_the_cap(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    response = await client.post(
        "/applications",
        files={"file": ("big.png", PNG + b"\x00" * CAP, "image/png")},
        headers=alice,
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


async def test_normal_requests_and_uploads_above_the_cap_still_work(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    assert (await client.get("/applications/mine", headers=alice)).status_code == 200

    # An attachment of 1 MB: multipart to an upload route keeps its own 10 MB limit.
    picture = PNG + b"\x00" * (1024 * KB)
    attached = await client.post(
        f"/applications/{application['id']}/attachments",
        files={"file": ("scan.png", picture, "image/png")},
        headers=alice,
    )
    assert attached.status_code == 201, attached.text

    # An agency import of more than the cap.
    district = await login_staff(client, "district", "district_officer", DISTRICT)
    header, *rows = sample("medical").decode().strip().splitlines()
    content = "\n".join([header] + rows * (CAP // len(rows[0]) + 100)).encode()
    assert len(content) > CAP
    imported = await client.post(
        "/staff/imports",
        data={"source": "medical"},
        files={"file": ("medical.csv", content, "application/octet-stream")},
        headers=district,
    )
    assert imported.status_code == 202, imported.text


async def test_security_headers_on_every_response(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    responses = {
        "public": await client.get("/regions"),
        "created": await client.post("/applications", json=application_body(), headers=alice),
        "unauthenticated": await client.get("/me"),
        "unknown route": await client.get("/no-such-route"),
        "invalid": await client.post("/auth/staff/login", json={}),
        "too large": await client.post(
            "/applications", content=_json_of_size(CAP + 1), headers=alice
        ),
    }
    for name, response in responses.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Cache-Control"] == "no-store", name
    # A route that sets its own no-store variant keeps it.
    download_headers = await _attachment_download_headers(client, alice)
    assert download_headers["Cache-Control"] == "private, no-store"
    assert download_headers["X-Content-Type-Options"] == "nosniff"

    # Outside the API: nosniff still, and the cache header is left to the route.
    from app.main import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as root:
        health = await root.get("/healthz")
    assert health.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in health.headers.get("Cache-Control", "")


async def _attachment_download_headers(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> httpx.Headers:
    application = await submit(client, headers)
    attached = await client.post(
        f"/applications/{application['id']}/attachments",
        files={"file": ("scan.png", PNG, "image/png")},
        headers=headers,
    )
    assert attached.status_code == 201, attached.text
    download = await client.get(
        f"/applications/{application['id']}/attachments/{attached.json()['id']}", headers=headers
    )
    assert download.status_code == 200
    return download.headers


async def test_a_well_formed_request_id_is_echoed_and_logged(client: httpx.AsyncClient) -> None:
    for given in ("abc-123", "req.2026-11-30T03:00:00_x", "A" * 64):
        with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            response = await client.get("/regions", headers={"X-Request-ID": given})
        assert response.headers["X-Request-ID"] == given
        assert [e["request_id"] for e in logs if e["event"] == "request"] == [given]


async def test_an_ill_formed_request_id_is_replaced_by_a_fresh_one(
    client: httpx.AsyncClient,
) -> None:
    seen = set()
    for given in ("has space", "A" * 65, "<script>", "id\r\nSet-Cookie: x=1", "编号", "a/b", ""):
        with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            response = await client.get(
                "/regions", headers=[(b"X-Request-ID", given.encode("utf-8"))]
            )
        echoed = response.headers["X-Request-ID"]
        assert echoed != given
        assert re.fullmatch(r"[0-9a-f]{16}", echoed), echoed
        assert [e["request_id"] for e in logs if e["event"] == "request"] == [echoed]
        seen.add(echoed)
    assert len(seen) == 7  # fresh each time
