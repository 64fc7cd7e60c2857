"""``python -m app staff ...`` and ``agency ...``: the account life cycle from the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.helpers import PASSWORD, create_staff

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _login(client: httpx.AsyncClient, password: str = PASSWORD) -> int:
    response = await client.post(
        "/auth/staff/login", json={"username": "worker1", "password": password}
    )
    return response.status_code


async def test_staff_commands_disable_enable_reset_and_list(client: httpx.AsyncClient) -> None:
    await create_staff("worker1", "community_worker", "510115001001")
    await create_staff("admin1", "admin", "510115000000")
    assert await _login(client) == 200

    listed = _cli("staff", "list", "--role", "community_worker")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.strip().splitlines()[1:]
    assert "worker1" in line and "active" in line and "never" not in line

    disabled = _cli("staff", "disable", "worker1")
    assert disabled.returncode == 0, disabled.stderr
    assert await _login(client) == 403

    assert _cli("staff", "enable", "worker1").returncode == 0
    assert await _login(client) == 200

    reset = _cli("staff", "reset-password", "worker1", "--password", "a fresh long password")
    assert reset.returncode == 0, reset.stderr
    assert await _login(client) == 401
    assert await _login(client, "a fresh long password") == 200

    last_admin = _cli("staff", "disable", "admin1")
    assert last_admin.returncode == 1 and "管理员" in last_admin.stderr
    assert "Traceback" not in last_admin.stderr


async def test_agency_commands_rotate_and_revoke_the_key(client: httpx.AsyncClient) -> None:
    created = _cli("create-agency", "--name", "阳光社工", "--region", "510115000000")
    assert created.returncode == 0, created.stderr
    old_key = created.stdout.strip().splitlines()[-1]
    agency_id = created.stdout.split("with id ")[1].split(";")[0]

    async def call(key: str) -> httpx.Response:
        return await client.get("/applications/mine", headers={"X-API-Key": key})

    assert (await call(old_key)).status_code == 200
    rotated = _cli("agency", "rotate-key", agency_id)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip().splitlines()[-1]
    assert (await call(old_key)).status_code == 401
    assert (await call(new_key)).status_code == 200

    revoked = _cli("agency", "revoke-key", agency_id)
    assert revoked.returncode == 0, revoked.stderr
    assert (await call(new_key)).status_code == 401
    listed = _cli("agency", "list")
    assert f"{agency_id}\t阳光社工\t510115000000" in listed.stdout and "revoked" in listed.stdout
