"""Personal data at rest and in logs: ID numbers and phones never stored or logged in clear."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import text

from app.config import get_settings
from app.db.base import Model
from tests.helpers import application_body, id_number, login_resident
from tests.intake.support import LIUCHENG, staff, submit

NAME = "欧阳独秀"  # a name no other test uses
PHONE = "13755550123"


async def _store_a_case(client: httpx.AsyncClient) -> str:
    """A self application, one entered by staff, a reveal and a replayed submit."""
    number = id_number()
    alice = await login_resident(client, "alice")
    body = application_body(subject={"name": NAME, "id_number": number, "phone": PHONE})
    created = await client.post(
        "/applications", json=body, headers={**alice, "Idempotency-Key": "pd-1"}
    )
    assert created.status_code == 201
    replayed = await client.post(
        "/applications", json=body, headers={**alice, "Idempotency-Key": "pd-1"}
    )
    assert replayed.status_code == 201
    worker, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    entered = await client.post(
        "/staff/applications", json=body, headers={**worker, "Idempotency-Key": "pd-2"}
    )
    assert entered.status_code == 201
    revealed = await client.post(
        f"/staff/applications/{created.json()['id']}/reveal",
        json={"reason": "核对身份"},
        headers=worker,
    )
    assert revealed.json()["id_number"] == number
    return number


async def _sqlite_bytes() -> bytes:
    # Close the app's connections first: SQLite's locks are POSIX locks, and closing any
    # descriptor of the file (as reading it does) would drop the locks they hold.
    from app.db.session import dispose_engine

    await dispose_engine()
    path = Path(get_settings().database_url.split(":///", 1)[1])
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(p.read_bytes() for p in files if p.exists())


async def _postgres_text() -> str:
    from app.db.session import get_engine

    chunks: list[str] = []
    async with get_engine().connect() as conn:
        for table in Model.metadata.sorted_tables:
            rows = await conn.execute(text(f'SELECT t::text FROM "{table.name}" t'))  # noqa: S608
            chunks += [row[0] for row in rows]
    return "\n".join(chunks)


async def test_id_number_and_phone_are_not_stored_in_clear(
    client: httpx.AsyncClient, backend: str
) -> None:
    number = await _store_a_case(client)
    if backend == "sqlite":
        raw = await _sqlite_bytes()
        # The check can see clear text: the name is kept in clear for search.
        assert NAME.encode() in raw
        assert number.encode() not in raw
        assert PHONE.encode() not in raw
        assert number.encode("utf-16-le") not in raw
    else:
        stored = await _postgres_text()
        assert NAME in stored
        assert number[:6] + "********" + number[-4:] in stored  # the masked form is kept
        assert number not in stored
        assert PHONE not in stored


async def test_logs_hold_no_id_number_phone_or_name(
    client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # the production default (JIUZHU_LOG_LEVEL)
    capsys.readouterr()
    valid = id_number()
    bad_number = valid[:17] + ("0" if valid[17] != "0" else "1")  # a wrong check digit
    with structlog.testing.capture_logs() as events:
        number = await _store_a_case(client)
        worker, _ = await staff(client, "district1", "district_officer", "510115000000")
        for q in (number, NAME, NAME[:2]):
            response = await client.get("/staff/applications", params={"q": q}, headers=worker)
            assert response.status_code == 200
            assert response.json()["items"]
        alice = await login_resident(client, "bob")
        refused = await client.post(
            "/applications",
            json=application_body(subject={"name": NAME, "id_number": bad_number}),
            headers=alice,
        )
        assert refused.status_code == 422
        await submit(client, alice, relation="neighbor", subject={"name": NAME, "phone": PHONE})
    captured = capsys.readouterr()
    # Leave out the test client's own request log ("httpx"); the app makes no HTTP calls here.
    records = [r for r in caplog.records if r.name != "httpx"]
    logged = "\n".join(
        [repr(events), captured.out, captured.err]
        + [f"{r.getMessage()} {r.__dict__!r}" for r in records]
    )
    # The capture works: requests were logged, by path.
    assert any(e.get("event") == "request" for e in events)
    assert "/api/v1/staff/applications" in logged
    for secret in (number, bad_number, PHONE, NAME, NAME[:2]):
        assert secret not in logged, secret
