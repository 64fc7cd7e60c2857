"""Walking a case to its procedure through HTTP with a frozen clock."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from tests.helpers import application_body, id_number, login_resident, login_staff, staff_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISTRICT = "510115000000"
LIUCHENG = "510115001000"
GUANGHUA = "510115001001"


def freeze(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Today is ``day`` (10:00 in Beijing) for intake, the procedures and the registry."""
    at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)
    for module in (
        "app.intake.creation",
        "app.intake.submission",
        "app.intake.service",
    ):
        monkeypatch.setattr(f"{module}.now", lambda: at)
    monkeypatch.setattr("app.procedures.dates.today", lambda: day)
    monkeypatch.setattr("app.households.categories.service.local_today", lambda: day)
    monkeypatch.setattr("app.schedules.service.local_today", lambda: day)


class Case:
    """A resident's application and the staff who work it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.id = 0
        self.id_number = id_number()
        self.resident: dict[str, str] = {}
        self.worker: dict[str, str] = {}
        self.worker2: dict[str, str] = {}
        self.street: dict[str, str] = {}
        self.officer: dict[str, str] = {}
        self.surveyors: list[int] = []

    async def open(self, name: str = "张小明", help_types: list[str] | None = None) -> Case:
        self.resident = await login_resident(self.client, f"res-{name}")
        body = application_body(
            subject={"name": name, "id_number": self.id_number},
            help_types=help_types or ["basic_living"],
        )
        response = await self.client.post("/applications", json=body, headers=self.resident)
        assert response.status_code == 201, response.text
        self.id = int(response.json()["id"])
        suffix = str(self.id)
        self.worker = await login_staff(self.client, f"w{suffix}", "community_worker", GUANGHUA)
        self.worker2 = await login_staff(self.client, f"v{suffix}", "community_worker", GUANGHUA)
        self.street = await login_staff(self.client, f"s{suffix}", "street_officer", LIUCHENG)
        self.officer = await login_staff(self.client, f"d{suffix}", "district_officer", DISTRICT)
        self.surveyors = [
            await staff_id(self.client, self.worker),
            await staff_id(self.client, self.worker2),
        ]
        return self

    async def transition(self, action: str, headers: dict[str, str]) -> None:
        response = await self.client.post(
            f"/staff/applications/{self.id}/transitions", json={"action": action}, headers=headers
        )
        assert response.status_code == 200, response.text

    async def start(self, category: str, **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/staff/applications/{self.id}/procedure",
            json={"category": category, **extra},
            headers=self.worker,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def step(
        self, code: str, headers: dict[str, str] | None = None, expect: int = 200, **body: Any
    ) -> dict[str, Any]:
        response = await self.client.post(
            f"/staff/applications/{self.id}/procedure/steps/{code}",
            json=body,
            headers=headers or self.worker,
        )
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def view(self) -> dict[str, Any]:
        response = await self.client.get(
            f"/staff/applications/{self.id}/procedure", headers=self.worker
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


def step_of(view: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in view["steps"] if s["code"] == code)


def pdf_text(content: bytes) -> str:
    """The text a PDF shows, as pypdf extracts it."""
    assert content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
