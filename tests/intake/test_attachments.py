"""Attachments: type by content, size and count limits, who may fetch them, idempotent uploads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.models.application import Attachment
from tests.helpers import login_resident, login_staff
from tests.intake.support import (
    ELF,
    GONGPING,
    GUANGHUA,
    JPEG,
    LIUCHENG,
    MZ,
    PDF,
    PNG,
    act,
    agency_headers,
    staff,
    submit,
)

MB = 1024 * 1024


async def _upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    application_id: int,
    content: bytes,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    key: str | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(
        f"/applications/{application_id}/attachments",
        files={"file": (filename, content, content_type)},
        headers={**headers, **extra},
    )


async def _attachments() -> list[Attachment]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(await session.scalars(select(Attachment).order_by(Attachment.id)))


async def _count() -> int:
    from app.db.session import session_scope

    async with session_scope() as session:
        return int(await session.scalar(select(func.count()).select_from(Attachment)) or 0)


def _stored_files(upload_dir: Path) -> list[Path]:
    return [p for p in upload_dir.iterdir() if p.is_file()] if upload_dir.exists() else []


@pytest.fixture
async def case(client: httpx.AsyncClient) -> dict[str, Any]:
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    return {"owner": alice, "id": application["id"]}


@pytest.mark.parametrize(
    ("content", "filename", "declared", "expected"),
    [
        (JPEG, "photo.jpg", "image/jpeg", "image/jpeg"),
        (PNG, "scan.png", "image/png", "image/png"),
        (PDF, "证明.pdf", "application/pdf", "application/pdf"),
        # The type comes from the bytes, not from the name or the declared type.
        (PNG, "photo.jpg", "image/jpeg", "image/png"),
        (PDF, "blob", "application/octet-stream", "application/pdf"),
    ],
)
async def test_jpeg_png_and_pdf_are_accepted(
    client: httpx.AsyncClient,
    case: dict[str, Any],
    content: bytes,
    filename: str,
    declared: str,
    expected: str,
) -> None:
    response = await _upload(client, case["owner"], case["id"], content, filename, declared)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == expected
    assert body["size"] == len(content)
    assert isinstance(body["id"], int)
    download = await client.get(
        f"/applications/{case['id']}/attachments/{body['id']}", headers=case["owner"]
    )
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == expected
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("content", "filename", "declared"),
    [
        (ELF, "photo.png", "image/png"),
        (MZ, "photo.png", "image/png"),
        (MZ, "scan.pdf", "application/pdf"),
        (b"GIF89a" + b"\x00" * 32, "anim.gif", "image/gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "x.png", "image/png"),
        (b"<html><script>alert(1)</script></html>", "x.jpg", "image/jpeg"),
        (b"\xff\xd8", "tiny.jpg", "image/jpeg"),  # shorter than any signature
    ],
)
async def test_other_content_is_415(
    client: httpx.AsyncClient,
    case: dict[str, Any],
    upload_dir: Path,
    content: bytes,
    filename: str,
    declared: str,
) -> None:
    before = _stored_files(upload_dir)
    response = await _upload(client, case["owner"], case["id"], content, filename, declared)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_file_type"
    assert await _count() == 0
    assert _stored_files(upload_dir) == before  # nothing left behind


async def test_over_10_mb_is_413(
    client: httpx.AsyncClient, case: dict[str, Any], upload_dir: Path
) -> None:
    before = _stored_files(upload_dir)
    big = JPEG + b"\x00" * (11 * MB)
    response = await _upload(client, case["owner"], case["id"], big)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert await _count() == 0
    assert _stored_files(upload_dir) == before


async def test_exactly_10_mb_is_accepted(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    content = JPEG + b"\x00" * (10 * MB - len(JPEG))
    response = await _upload(client, case["owner"], case["id"], content)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == 10 * MB


async def test_over_10_mb_without_a_content_length_is_413(
    client: httpx.AsyncClient, case: dict[str, Any], upload_dir: Path
) -> None:
    """A chunked upload that declares no length is cut off as the bytes arrive."""
    boundary = "jiuzhu-test-boundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        yield head + JPEG
        for _ in range(11):
            yield b"\x00" * MB
        yield f"\r\n--{boundary}--\r\n".encode()

    before = _stored_files(upload_dir)
    response = await client.post(
        f"/applications/{case['id']}/attachments",
        content=body(),
        headers={**case["owner"], "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert await _count() == 0
    assert _stored_files(upload_dir) == before


async def test_empty_file_is_422(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    response = await _upload(client, case["owner"], case["id"], b"")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_upload"
    assert await _count() == 0


async def test_not_multipart_is_422(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    url = f"/applications/{case['id']}/attachments"
    as_json = await client.post(url, json={"file": "aGVsbG8="}, headers=case["owner"])
    assert as_json.status_code == 422
    assert as_json.json()["code"] == "invalid_upload"
    raw = await client.post(
        url, content=JPEG, headers={**case["owner"], "Content-Type": "image/jpeg"}
    )
    assert raw.status_code == 422
    no_boundary = await client.post(
        url, content=JPEG, headers={**case["owner"], "Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 422
    wrong_field = await client.post(
        url, files={"photo": ("a.jpg", JPEG, "image/jpeg")}, headers=case["owner"]
    )
    assert wrong_field.status_code == 422
    garbage = await client.post(
        url,
        content=b"this is not multipart at all",
        headers={**case["owner"], "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert garbage.status_code == 422
    assert await _count() == 0


async def test_nine_attachments_then_409(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    for n in range(9):
        response = await _upload(client, case["owner"], case["id"], JPEG + bytes([n]))
        assert response.status_code == 201, (n, response.text)
    tenth = await _upload(client, case["owner"], case["id"], PNG)
    assert tenth.status_code == 409
    assert tenth.json()["code"] == "attachment_limit_reached"
    assert await _count() == 9


async def test_owner_and_staff_in_scope_can_fetch_others_get_404(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    uploaded = await _upload(client, case["owner"], case["id"], PDF, "证明.pdf", "application/pdf")
    url = f"/applications/{case['id']}/attachments/{uploaded.json()['id']}"

    community = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    for headers in (case["owner"], community, street):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.content == PDF

    bob = await login_resident(client, "bob")
    other_street = await login_staff(client, "gongping1", "street_officer", GONGPING)
    other_community = await login_staff(client, "nanjiang1", "community_worker", "510115001002")
    agency = await agency_headers()
    admin = await login_staff(client, "admin1", "admin", "510115000000")
    for headers in (bob, other_street, other_community, agency, admin):
        response = await client.get(url, headers=headers)
        assert response.status_code == 404, response.text
        assert PDF not in response.content
    assert (await client.get(url)).status_code == 401

    # The staff list of attachments is in the case detail.
    detail = await client.get(f"/staff/applications/{case['id']}", headers=street)
    assert [(a["id"], a["content_type"], a["size"]) for a in detail.json()["attachments"]] == [
        (uploaded.json()["id"], "application/pdf", len(PDF))
    ]


async def test_auditors_read_cases_but_not_their_documents(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    uploaded = await _upload(
        client, case["owner"], case["id"], PDF, "身份证.pdf", "application/pdf"
    )
    url = f"/applications/{case['id']}/attachments/{uploaded.json()['id']}"
    auditor = await login_staff(client, "auditor1", "auditor", "510115000000")
    # The case and its list of attachments, yes; the scan itself, no.
    detail = await client.get(f"/staff/applications/{case['id']}", headers=auditor)
    assert detail.status_code == 200
    assert [a["id"] for a in detail.json()["attachments"]] == [uploaded.json()["id"]]
    refused = await client.get(url, headers=auditor)
    assert refused.status_code == 403
    assert refused.json()["code"] == "attachment_reveal_forbidden"
    assert "附件" in refused.json()["message"]
    assert PDF not in refused.content
    # Nothing was revealed, so nothing to audit as a view.
    log = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": str(case["id"])},
        headers=auditor,
    )
    assert "attachment.view" not in [e["action"] for e in log.json()["items"]]


async def test_every_attachment_view_is_audited(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    uploaded = await _upload(client, case["owner"], case["id"], PDF, "证明.pdf", "application/pdf")
    attachment_id = uploaded.json()["id"]
    url = f"/applications/{case['id']}/attachments/{attachment_id}"
    street, street_id = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    for headers in (case["owner"], street):
        assert (await client.get(url, headers=headers)).status_code == 200
    auditor = await login_staff(client, "auditor1", "auditor", "510115000000")
    log = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": str(case["id"])},
        headers=auditor,
    )
    views = [
        (e["actor_kind"], e["actor_id"] == street_id if e["actor_kind"] == "staff" else None)
        for e in log.json()["items"]
        if e["action"] == "attachment.view" and e["detail"] == {"attachment_id": attachment_id}
    ]
    assert sorted(views, key=str) == sorted([("resident", None), ("staff", True)], key=str)


async def test_attachment_of_another_application_is_404(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    first = await submit(client, alice)
    second = await submit(client, alice)
    uploaded = await _upload(client, alice, first["id"], JPEG)
    wrong_pair = await client.get(
        f"/applications/{second['id']}/attachments/{uploaded.json()['id']}", headers=alice
    )
    assert wrong_pair.status_code == 404
    missing = await client.get(f"/applications/{first['id']}/attachments/999999", headers=alice)
    assert missing.status_code == 404


async def test_others_cannot_upload(client: httpx.AsyncClient, case: dict[str, Any]) -> None:
    bob = await login_resident(client, "bob")
    other_street = await login_staff(client, "gongping1", "street_officer", GONGPING)
    for headers in (bob, other_street):
        response = await _upload(client, headers, case["id"], JPEG)
        assert response.status_code == 404
    auditor = await login_staff(client, "auditor1", "auditor", "510115000000")
    assert (await _upload(client, auditor, case["id"], JPEG)).status_code == 403
    assert (await _upload(client, {}, case["id"], JPEG)).status_code == 401
    assert await _count() == 0

    # Staff in scope may add documents they collected.
    worker = await login_staff(client, "guanghua1", "community_worker", GUANGHUA)
    response = await _upload(client, worker, case["id"], JPEG)
    assert response.status_code == 201
    detail = await client.get(f"/staff/applications/{case['id']}", headers=worker)
    assert detail.json()["attachments"][0]["uploaded_by_kind"] == "staff"


async def test_no_uploads_once_the_case_is_over(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    await client.post(f"/applications/{application['id']}/withdraw", json={}, headers=alice)
    response = await _upload(client, alice, application["id"], JPEG)
    assert response.status_code == 409
    assert await _count() == 0

    street = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    rejected = await submit(client, alice)
    assert (await act(client, street, rejected["id"], "reject")).status_code == 200
    assert (await _upload(client, alice, rejected["id"], JPEG)).status_code == 409


async def test_stored_name_is_random_not_the_upload_name(
    client: httpx.AsyncClient, case: dict[str, Any], upload_dir: Path
) -> None:
    names = ["../../etc/passwd.png", "我的身份证.jpg", "photo.jpg"]
    for name, content in zip(names, (PNG, JPEG, JPEG + b"\x01"), strict=True):
        response = await _upload(client, case["owner"], case["id"], content, name)
        assert response.status_code == 201
    attachments = await _attachments()
    storage_names = [a.storage_name for a in attachments]
    assert len(set(storage_names)) == 3
    for storage_name in storage_names:
        assert all(part not in storage_name for part in ("passwd", "身份证", "photo", ".", "/"))
        assert len(storage_name) >= 32
    stored = {p.name for p in _stored_files(upload_dir)}
    assert set(storage_names) <= stored
    assert not any(p.suffix for p in _stored_files(upload_dir) if p.name in storage_names)
    assert not (upload_dir.parent.parent / "etc" / "passwd.png").exists()
    # Nothing half-written (.part) is left behind.
    assert not [p for p in _stored_files(upload_dir) if p.name.endswith(".part")]


async def test_idempotency_key_replays_the_same_attachment(
    client: httpx.AsyncClient, case: dict[str, Any], upload_dir: Path
) -> None:
    before = set(_stored_files(upload_dir))
    first = await _upload(client, case["owner"], case["id"], JPEG, key="upload-1")
    second = await _upload(client, case["owner"], case["id"], JPEG, key="upload-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await _count() == 1
    # The replayed upload's bytes were not kept a second time.
    assert len(set(_stored_files(upload_dir)) - before) == 1
    different = await _upload(client, case["owner"], case["id"], PNG, key="upload-1")
    assert different.status_code == 422
    assert different.json()["code"] == "idempotency_key_mismatch"
    assert await _count() == 1


async def test_parallel_uploads_respect_the_limit(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    await _upload(client, case["owner"], case["id"], JPEG)
    responses = await asyncio.gather(
        *(_upload(client, case["owner"], case["id"], JPEG + bytes([n])) for n in range(12))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 8 + [409] * 4, [r.text for r in responses]
    assert await _count() == 9
