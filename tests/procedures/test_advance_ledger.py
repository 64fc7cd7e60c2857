"""Temporary aid paid first (先行救助) goes into the household's assistance ledger in the step's
transaction and counts in the figures of amounts paid; a person with no household yet keeps it
on the procedure until the household exists."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tests.households.helpers import create_household, member
from tests.procedures.support import Case, freeze, step_of


async def _ledger(client: httpx.AsyncClient, case: Case, household_id: int) -> list[Any]:
    response = await client.get(f"/staff/households/{household_id}/ledger", headers=case.worker)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _temporary_aid(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, name: str
) -> Case:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name=name, help_types=["emergency"])
    await case.transition("accept", case.worker)
    await case.start("temporary_aid")
    return case


async def test_advance_is_written_to_the_households_ledger_and_counted(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _temporary_aid(client, monkeypatch, "周急")
    household = await create_household(
        client, case.street, members=[member(name="周急", id_number=case.id_number)]
    )
    assert await _ledger(client, case, household["id"]) == []
    # Above the limit: refused, and nothing reaches the ledger.
    await case.step("advance", expect=422, amount="5000.00")
    assert await _ledger(client, case, household["id"]) == []
    view = await case.step("advance", amount="800.00", on="2026-09-29")
    detail = step_of(view, "advance")["detail"]
    assert detail["amount"] == "800.00" and detail["household_id"] == household["id"]
    assert "ledger_pending" not in detail
    (entry,) = await _ledger(client, case, household["id"])
    assert entry["id"] == detail["ledger_entry_id"]
    assert entry["kind"] == "temporary_aid" and entry["amount"] == "800.00"
    assert entry["date"] == "2026-09-29" and entry["giver"] == "先行救助"
    paid = await client.get(
        "/staff/stats/payments",
        params={"from": "2026-09-01", "to": "2026-09-30"},
        headers=case.officer,
    )
    assert paid.status_code == 200, paid.text
    by_kind = {k["kind"]: k for k in paid.json()["by_kind"]}
    assert by_kind["temporary_aid"]["amount"] == "800.00"
    assert by_kind["temporary_aid"]["households"] == 1
    # Later steps do not write it twice.
    await case.step("paperwork")
    assert len(await _ledger(client, case, household["id"])) == 1


async def test_advance_for_a_person_with_no_household_waits_for_the_household(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _temporary_aid(client, monkeypatch, "吴急")
    view = await case.step("advance", amount="600.00")
    detail = step_of(view, "advance")["detail"]
    assert detail["ledger_pending"] is True and "ledger_entry_id" not in detail
    assert view["advance_amount"] == "600.00"
    # The household is registered afterwards: the next step writes the payment, dated the
    # day it was paid, and the advance no longer waits.
    household = await create_household(
        client, case.street, members=[member(name="吴急", id_number=case.id_number)]
    )
    freeze(monkeypatch, date(2026, 10, 9))
    view = await case.step("paperwork")
    detail = step_of(view, "advance")["detail"]
    assert "ledger_pending" not in detail and detail["household_id"] == household["id"]
    (entry,) = await _ledger(client, case, household["id"])
    assert entry["id"] == detail["ledger_entry_id"]
    assert (entry["kind"], entry["amount"], entry["date"]) == (
        "temporary_aid",
        "600.00",
        "2026-09-30",
    )
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    await case.step("confirm", headers=case.officer, outcome="approve")
    assert len(await _ledger(client, case, household["id"])) == 1
