"""``python -m app scan`` runs every enabled rule over the district, and a second run opens
nothing new."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from app.kit.timeutil import local_today
from tests.helpers import id_number
from tests.households.builders import Person
from tests.households.builders import insert_household as create_household
from tests.monitoring.signals import add_signal

ROOT = Path(__file__).resolve().parents[2]


def _scan() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "scan"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_scan_command_opens_each_warning_once() -> None:
    number = id_number(date(1988, 8, 8))
    await create_household(
        "510115001001", [Person("吴十", date(1988, 8, 8), id_number=number)], category="dibao"
    )
    await add_signal("utility_arrears", number, local_today() - timedelta(days=3), quantity=5)
    first = _scan()
    assert first.returncode == 0, first.stderr
    assert "need_utility_arrears: 1" in first.stdout
    assert first.stdout.strip().endswith("1 warnings opened")
    second = _scan()
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().endswith("0 warnings opened")
