"""Configuration refuses unsafe production settings; the command line: create-agency,
import-regions, rotate-data-key."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, func, select

from app.config import ConfigError, Environment, Settings, WeChatMode, get_settings
from app.models.account import Agency
from app.models.application import Application
from app.models.region import Region
from app.regions.service import BUILTIN_CSV
from tests.helpers import application_body, id_number, login_resident, login_staff

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "Qz7-x9_Lm2Vb4Nc6Rt8Yw0"


# --- configuration ------------------------------------------------------------------------------


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A complete, safe production environment; each test breaks one thing."""
    monkeypatch.setenv("JIUZHU_ENV", "production")
    monkeypatch.setenv("JIUZHU_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("JIUZHU_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("JIUZHU_WECHAT_APPID", "wx0123456789abcdef")
    monkeypatch.setenv("JIUZHU_WECHAT_SECRET", "0123456789abcdef0123456789abcdef")
    monkeypatch.delenv("JIUZHU_WECHAT_MODE", raising=False)
    return monkeypatch


def test_safe_production_settings_start(production: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.env == Environment.production
    assert settings.wechat_mode == WeChatMode.live


@pytest.mark.parametrize(
    ("variable", "value", "mentioned"),
    [
        ("JIUZHU_SECRET_KEY", None, "JIUZHU_SECRET_KEY"),
        ("JIUZHU_SECRET_KEY", "", "JIUZHU_SECRET_KEY"),
        ("JIUZHU_SECRET_KEY", "change-me-change-me-change-me-change-me", "JIUZHU_SECRET_KEY"),
        ("JIUZHU_SECRET_KEY", "CHANGE_ME_" + "x" * 40, "JIUZHU_SECRET_KEY"),
        ("JIUZHU_SECRET_KEY", "short-secret", "JIUZHU_SECRET_KEY"),
        ("JIUZHU_DATA_KEY", None, "JIUZHU_DATA_KEY"),
        ("JIUZHU_DATA_KEY", "not-a-key", "JIUZHU_DATA_KEY"),
        ("JIUZHU_DATA_KEY", "c2hvcnQ=", "JIUZHU_DATA_KEY"),  # base64, but 5 bytes
        ("JIUZHU_WECHAT_MODE", "fake", "JIUZHU_WECHAT_MODE"),
        ("JIUZHU_WECHAT_APPID", None, "JIUZHU_WECHAT_APPID"),
        ("JIUZHU_WECHAT_SECRET", None, "JIUZHU_WECHAT_SECRET"),
    ],
)
def test_unsafe_production_settings_are_refused(
    production: pytest.MonkeyPatch, variable: str, value: str | None, mentioned: str
) -> None:
    if value is None:
        production.delenv(variable, raising=False)
    else:
        production.setenv(variable, value)
    with pytest.raises(ConfigError, match=mentioned):
        Settings()


def test_production_never_generates_secrets(production: pytest.MonkeyPatch, tmp_path: Path) -> None:
    production.setenv("JIUZHU_VAR_DIR", str(tmp_path))
    production.delenv("JIUZHU_SECRET_KEY")
    production.delenv("JIUZHU_DATA_KEY")
    with pytest.raises(ConfigError):
        Settings()
    assert list(tmp_path.iterdir()) == []


def test_bad_keys_are_refused_outside_production_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIUZHU_DATA_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="JIUZHU_DATA_KEY"):
        Settings()
    monkeypatch.setenv("JIUZHU_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("JIUZHU_SECRET_KEY", "too-short")
    with pytest.raises(ConfigError, match="JIUZHU_SECRET_KEY"):
        Settings()


def test_dev_keeps_generated_secrets_across_restarts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JIUZHU_ENV", "dev")
    monkeypatch.setenv("JIUZHU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("JIUZHU_SECRET_KEY")
    monkeypatch.delenv("JIUZHU_DATA_KEY")
    first, second = Settings(), Settings()
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert first.data_key == second.data_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_line_refuses_to_start_with_unsafe_production_settings() -> None:
    result = _cli(
        "migrate", env={"JIUZHU_ENV": "production", "JIUZHU_SECRET_KEY": "", "JIUZHU_DATA_KEY": ""}
    )
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert "JIUZHU_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


# --- create-agency ------------------------------------------------------------------------------


async def _agencies() -> list[Agency]:
    from app.db.session import session_scope

    async with session_scope() as session:
        return list(await session.scalars(select(Agency)))


async def test_create_agency_prints_the_key_once_and_keeps_only_its_hash(
    client: httpx.AsyncClient,
) -> None:
    result = _cli("create-agency", "--name", "阳光社工服务中心", "--region", "510115000000")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    key = lines[-1]
    assert key.strip() == key and " " not in key and len(key) >= 32
    assert result.stdout.count(key) == 1
    assert key not in result.stderr

    (agency,) = await _agencies()
    assert agency.name == "阳光社工服务中心"
    assert agency.region_code == "510115000000"
    assert agency.api_key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = " ".join(str(getattr(agency, c.key)) for c in Agency.__table__.columns)
    assert key not in stored

    submitted = await client.post(
        "/applications", json=application_body(relation="agency"), headers={"X-API-Key": key}
    )
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["channel"] == "agency"
    wrong = await client.post(
        "/applications", json=application_body(), headers={"X-API-Key": key[:-1] + "x"}
    )
    assert wrong.status_code == 401


async def test_create_agency_with_an_unknown_region_fails_cleanly() -> None:
    result = _cli("create-agency", "--name", "X", "--region", "510115099000")
    assert result.returncode == 1
    assert "error" in result.stderr
    assert "Traceback" not in result.stderr
    assert await _agencies() == []


# --- import-regions ---------------------------------------------------------------------------


async def _regions() -> dict[str, tuple[str, str, str | None]]:
    from app.db.session import session_scope

    async with session_scope() as session:
        rows = await session.scalars(select(Region))
        return {r.code: (r.name, r.level, r.parent_code) for r in rows}


@pytest.fixture
async def pilot_community() -> AsyncIterator[str]:
    code = "510115001099"
    yield code
    from app.db.session import session_scope

    async with session_scope() as session:
        await session.execute(delete(Region).where(Region.code == code))


async def test_import_regions_twice_is_safe(tmp_path: Path, pilot_community: str) -> None:
    before = await _regions()
    for _ in range(2):
        result = _cli("import-regions", str(BUILTIN_CSV))
        assert result.returncode == 0, result.stderr
    assert await _regions() == before

    csv = tmp_path / "regions.csv"
    csv.write_text(
        "code,name,level,parent_code\n"
        "510115000000,温江区,district,\n"
        "510115001000,柳城街道,street,510115000000\n"
        f"{pilot_community},试点社区,community,510115001000\n",
        encoding="utf-8",
    )
    for _ in range(2):
        result = _cli("import-regions", str(csv))
        assert result.returncode == 0, result.stderr
    after = await _regions()
    assert after[pilot_community] == ("试点社区", "community", "510115001000")
    assert len(after) == len(before) + 1

    csv.write_text(csv.read_text(encoding="utf-8").replace("试点社区", "试点村"), encoding="utf-8")
    assert _cli("import-regions", str(csv)).returncode == 0
    assert (await _regions())[pilot_community][0] == "试点村"


@pytest.mark.parametrize(
    "content",
    [
        "code,name\n510115001001,x\n",
        "code,name,level,parent_code\n51011500100,短,community,510115001000\n",
        "code,name,level,parent_code\n510115001098,x,planet,510115001000\n",
        "code,name,level,parent_code\n510115001098,x,community,510115009000\n",
        "code,name,level,parent_code\n510115001000,x,community,510115000000\n",
    ],
)
async def test_import_regions_refuses_a_bad_file(tmp_path: Path, content: str) -> None:
    before = await _regions()
    csv = tmp_path / "bad.csv"
    csv.write_text(content, encoding="utf-8")
    result = _cli("import-regions", str(csv))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert await _regions() == before


# --- rotate-data-key ----------------------------------------------------------------------------


@pytest.fixture
def restore_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Key changes in this test are undone, and the cached settings with them."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _use_keys(monkeypatch: pytest.MonkeyPatch, current: str, old: str = "") -> dict[str, str]:
    env = {"JIUZHU_DATA_KEY": current, "JIUZHU_OLD_DATA_KEYS": old}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return env


async def test_rotate_data_key_keeps_search_and_reveal_working(
    client: httpx.AsyncClient, restore_keys: pytest.MonkeyPatch
) -> None:
    from app.db.session import session_scope
    from app.kit.crypto import get_cipher

    alice = await login_resident(client, "alice")
    street = await login_staff(client, "liucheng1", "street_officer", "510115001000")
    number = id_number()
    created = await client.post(
        "/applications",
        json=application_body(subject={"id_number": number, "phone": "13600001111"}),
        headers=alice,
    )
    assert created.status_code == 201
    case_id = created.json()["id"]

    async def search() -> list[int]:
        response = await client.get("/staff/applications", params={"q": number}, headers=street)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    async def reveal() -> httpx.Response:
        return await client.post(
            f"/staff/applications/{case_id}/reveal", json={"reason": "轮换后核对"}, headers=street
        )

    assert await search() == [case_id]
    old_key = get_settings().data_key
    new_key = Fernet.generate_key().decode()
    env = _use_keys(restore_keys, new_key, old_key)
    # Before the rotation the search hash is still the old key's: the search misses.
    assert await search() == []

    result = _cli("rotate-data-key", env=env)
    assert result.returncode == 0, result.stderr
    assert "application.subject_id: 1" in result.stdout
    assert "application.subject_phone: 1" in result.stdout

    assert await search() == [case_id]
    assert (await reveal()).json() == {
        "id_number": number,
        "phone": "13600001111",
        "reporter_phone": None,
    }
    async with session_scope() as session:
        row = await session.get(Application, case_id)
        assert row is not None and row.subject_id_enc and row.subject_phone_enc
        assert get_cipher().is_current(row.subject_id_enc)
        assert get_cipher().is_current(row.subject_phone_enc)

    # The old key can go: nothing needs it any more.
    _use_keys(restore_keys, new_key)
    assert (await reveal()).json() == {
        "id_number": number,
        "phone": "13600001111",
        "reporter_phone": None,
    }
    assert await search() == [case_id]
    again = _cli("rotate-data-key", env={"JIUZHU_DATA_KEY": new_key, "JIUZHU_OLD_DATA_KEYS": ""})
    assert again.returncode == 0, again.stderr
    assert "application.subject_id: 0" in again.stdout

    # A repeat report after the rotation is linked to the first (same keyed hash).
    repeat = await client.post(
        "/applications",
        json=application_body(relation="family", subject={"id_number": number}),
        headers=alice,
    )
    assert repeat.status_code == 201
    detail = await client.get(f"/staff/applications/{repeat.json()['id']}", headers=street)
    assert detail.json()["linked_to_id"] == case_id
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(Application)) == 2
