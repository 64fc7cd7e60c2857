"""Refresh grace: the same refresh token presented again within a few seconds gets the same
new pair (a retried request whose answer was lost, two refreshes at once); later, reuse revokes
the family. The kept pair is encrypted under the data key."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app.kit.timeutil import now
from app.models.account import RefreshToken
from tests.helpers import PASSWORD, create_staff


async def _tokens(client: httpx.AsyncClient) -> dict[str, Any]:
    await create_staff("liucheng1", "street_officer", "510115001000")
    response = await client.post(
        "/auth/staff/login", json={"username": "liucheng1", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def _rotated_seconds_ago(seconds: float) -> None:
    from app.db.session import session_scope

    async with session_scope() as session:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.used_at.is_not(None))
            .values(used_at=now() - timedelta(seconds=seconds))
        )


async def _rows() -> list[RefreshToken]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(await session.scalars(select(RefreshToken).order_by(RefreshToken.id)))


async def test_the_same_token_again_within_the_grace_gets_the_same_pair(
    client: httpx.AsyncClient,
) -> None:
    first = await _tokens(client)
    answer = await _refresh(client, first["refresh_token"])
    assert answer.status_code == 200, answer.text
    await _rotated_seconds_ago(8)  # a retry a few seconds later, within the 10 s default
    again = await _refresh(client, first["refresh_token"])
    assert again.status_code == 200, again.text
    assert again.json() == answer.json()
    # The family is intact: the new pair works, and its refresh token rotates once.
    headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await client.get("/me", headers=headers)).status_code == 200
    assert (await _refresh(client, again.json()["refresh_token"])).status_code == 200
    assert all(row.revoked_at is None for row in await _rows())


async def test_after_the_grace_reuse_revokes_the_family(client: httpx.AsyncClient) -> None:
    first = await _tokens(client)
    answer = (await _refresh(client, first["refresh_token"])).json()
    await _rotated_seconds_ago(11)
    reused = await _refresh(client, first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["code"] == "invalid_refresh_token"
    newest = await _refresh(client, answer["refresh_token"])
    assert newest.status_code == 401
    assert all(row.revoked_at is not None for row in await _rows())
    assert all(row.replaced_pair_enc is None for row in await _rows())


async def test_two_refreshes_at_once_both_get_the_same_pair(client: httpx.AsyncClient) -> None:
    first = await _tokens(client)
    one, two = await asyncio.gather(
        _refresh(client, first["refresh_token"]), _refresh(client, first["refresh_token"])
    )
    assert (one.status_code, two.status_code) == (200, 200), (one.text, two.text)
    assert one.json() == two.json()
    rows = await _rows()
    assert len(rows) == 2  # the login's token and one new one: not two new ones
    assert all(row.revoked_at is None for row in rows)
    assert (await _refresh(client, one.json()["refresh_token"])).status_code == 200


async def test_a_revoked_family_gets_nothing_even_within_the_grace(
    client: httpx.AsyncClient,
) -> None:
    from app.accounts import repository
    from app.db.session import session_scope

    first = await _tokens(client)
    assert (await _refresh(client, first["refresh_token"])).status_code == 200
    async with session_scope() as session:
        staff = await repository.staff_by_username(session, "liucheng1")
        assert staff is not None
        await repository.revoke_subject_tokens(session, "staff", staff.id, now())
    again = await _refresh(client, first["refresh_token"])
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_refresh_token"


async def test_the_kept_pair_is_encrypted_and_forgotten_after_the_grace(
    client: httpx.AsyncClient,
) -> None:
    from app.kit.crypto import get_cipher

    first = await _tokens(client)
    second = (await _refresh(client, first["refresh_token"])).json()
    rotated = (await _rows())[0]
    assert rotated.replaced_pair_enc is not None
    for secret in (second["refresh_token"], second["access_token"]):
        assert secret not in rotated.replaced_pair_enc
    kept = json.loads(get_cipher().decrypt(rotated.replaced_pair_enc))
    assert kept["refresh_token"] == second["refresh_token"]
    # The next rotation, past the grace of the first, drops the first's kept pair.
    await _rotated_seconds_ago(11)
    assert (await _refresh(client, second["refresh_token"])).status_code == 200
    rows = await _rows()
    assert rows[0].replaced_pair_enc is None
    assert rows[1].replaced_pair_enc is not None


async def test_no_grace_when_it_is_set_to_zero(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "refresh_grace_seconds", 0)
    first = await _tokens(client)
    assert (await _refresh(client, first["refresh_token"])).status_code == 200
    await _rotated_seconds_ago(1)
    assert (await _refresh(client, first["refresh_token"])).status_code == 401
