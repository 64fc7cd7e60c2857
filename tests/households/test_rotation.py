"""Data-key rotation covers members' ID numbers: search, reveal and the one-household rule
keep working under the new key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet

from app.config import get_settings
from tests.helpers import id_number
from tests.households.helpers import NANJIANG, create_household, household_body, member, street


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def use_keys(monkeypatch: pytest.MonkeyPatch, current: str, old: str = "") -> None:
    monkeypatch.setenv("JIUZHU_DATA_KEY", current)
    monkeypatch.setenv("JIUZHU_OLD_DATA_KEYS", old)
    get_settings.cache_clear()


async def test_rotation_rewrites_member_id_numbers(
    client: httpx.AsyncClient, keys: pytest.MonkeyPatch
) -> None:
    from app.db.session import session_scope
    from app.kit.rotation import rotate
    from app.sealed import sealed_columns

    headers = await street(client)
    person = id_number()
    household = await create_household(client, headers, members=[member(id_number=person)])
    head = household["members"][0]

    async def search() -> list[int]:
        response = await client.get("/staff/households", params={"q": person}, headers=headers)
        return [item["id"] for item in response.json()["items"]]

    assert await search() == [household["id"]]
    use_keys(keys, Fernet.generate_key().decode(), get_settings().data_key)
    assert await search() == []  # the keyed hash is still the old key's

    async with session_scope() as session:
        counts = await rotate(session, sealed_columns())
    assert counts["household_member.id_number"] == 1

    assert await search() == [household["id"]]
    revealed = await client.post(
        f"/staff/households/{household['id']}/members/{head['id']}/reveal",
        json={"reason": "轮换后核对"},
        headers=headers,
    )
    assert revealed.json() == {"id_number": person}
    again = await client.post(
        "/staff/households",
        json=household_body(region_code=NANJIANG, members=[member(id_number=person)]),
        headers=headers,
    )
    assert again.json()["code"] == "person_in_active_household"


def test_every_sealed_column_is_rotated() -> None:
    """A column holding ciphertext (``*_enc``) that no domain lists would keep the old key
    forever and become unreadable once the old key is dropped."""
    from app.db.base import Model
    from app.sealed import sealed_columns

    listed = {(f.ciphertext.class_.__tablename__, f.ciphertext.key) for f in sealed_columns()}
    sealed = {
        (table.name, column.name)
        for table in Model.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc")
    }
    assert sealed and sealed <= listed, sealed - listed
