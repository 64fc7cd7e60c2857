"""The procedure's PDFs are sealed under the data key and opened only for a download; a
reduction (减发) gives the household its new monthly amount in the registry; an advance paid
before the person had a household reaches the ledger when the household is registered, even
after the procedure's last step, and only once."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.session import session_scope
from app.households.categories.scheduled import apply_due
from app.jobs.runner import Runner
from app.kit.crypto import get_cipher
from app.models.procedure import ProcedureDocument
from app.tasks import HANDLERS
from tests.helpers import id_number
from tests.households.helpers import create_household, member
from tests.procedures.support import SHANGHAI, Case, freeze, pdf_text, step_of
from tests.procedures.test_other_procedures import _dibao_approved, _household


async def _run_jobs() -> int:
    """Run the queued jobs as a worker would (the arrival of people in a household)."""
    return await Runner(HANDLERS).run_due()


async def test_documents_are_sealed_at_rest_and_open_for_downloads(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _dibao_approved(client, monkeypatch, "钱封存")
    view = await case.view()
    decision = next(d for d in view["documents"] if d["kind"] == "decision")
    async with session_scope() as session:
        stored = list(
            await session.scalars(
                select(ProcedureDocument).where(ProcedureDocument.application_id == case.id)
            )
        )
    assert {d.kind for d in stored} == {"notice", "decision"}
    for document in stored:
        raw = document.content_enc.encode()
        assert not raw.startswith(b"%PDF") and b"%PDF" not in raw
        assert "钱封存".encode() not in raw and "钱".encode() not in raw
        assert document.content_enc.partition("$")[0] == get_cipher().key_id
        opened = get_cipher().decrypt_bytes(document.content_enc)
        assert opened.startswith(b"%PDF")
        assert hashlib.sha256(opened).hexdigest() == document.sha256  # of the PDF itself
    sealed = next(d for d in stored if d.kind == "decision")

    for url, headers in (
        (f"/staff/applications/{case.id}/procedure/documents/{decision['id']}", case.officer),
        (f"/applications/{case.id}/documents/{decision['id']}", case.resident),
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == sealed.sha256
        assert "钱封存" in pdf_text(response.content)


async def _reduce(client: httpx.AsyncClient, case: Case, on: str, amount: str) -> dict[str, Any]:
    response = await client.post(
        f"/staff/applications/{case.id}/procedure/stop",
        json={
            "action": "reduce",
            "effective_date": on,
            "reasons": "家庭成员务工收入增加",
            "monthly_amount": amount,
        },
        headers=case.officer,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _history(client: httpx.AsyncClient, case: Case, household_id: int) -> list[Any]:
    response = await client.get(
        f"/staff/households/{household_id}/category-history", headers=case.officer
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_reduction_gives_the_household_its_new_amount(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _dibao_approved(client, monkeypatch, "孙减发")
    household = await _household(client, case)
    (enrolled,) = await _history(client, case, household["id"])
    assert enrolled["monthly_amount"] == "500.00"
    freeze(monkeypatch, date(2026, 11, 2))
    view = await _reduce(client, case, "2026-11-01", "300.00")
    assert view["monthly_amount"] == "300.00" and view["outcome"] == "approved"

    newest, _ = await _history(client, case, household["id"])
    assert (newest["action"], newest["category"], newest["monthly_amount"]) == (
        "adjust",
        "dibao",
        "300.00",
    )
    assert newest["status"] == "applied" and newest["application_id"] == case.id
    after = await _household(client, case)
    # Still in dibao since the approval, one version on, with the amount's change kept.
    assert after["category"] == "dibao" and after["category_since"] == household["category_since"]
    assert after["version"] == household["version"] + 1
    changes = await client.get(f"/staff/households/{household['id']}/changes", headers=case.officer)
    change = changes.json()["items"][0]
    assert (change["action"], change["field"]) == ("category_adjust", "monthly_amount")
    assert (change["old_value"], change["new_value"]) == ("500.00", "300.00")


async def test_a_reduction_dated_ahead_applies_on_its_date(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await _dibao_approved(client, monkeypatch, "周预约")
    household = await _household(client, case)
    freeze(monkeypatch, date(2026, 11, 2))
    await _reduce(client, case, "2026-12-01", "350.00")
    waiting = await _household(client, case)
    assert waiting["scheduled_change"]["action"] == "adjust"
    assert waiting["scheduled_change"]["monthly_amount"] == "350.00"
    newest, _ = await _history(client, case, household["id"])
    assert newest["status"] == "scheduled"
    at = datetime(2026, 12, 1, 0, 1, tzinfo=SHANGHAI)
    async with session_scope() as session:
        assert await apply_due(session, date(2026, 12, 1), at) == 1
    applied = await _household(client, case)
    assert applied["category"] == "dibao" and applied["status"] == "active"
    assert applied["category_since"] == household["category_since"]
    newest, _ = await _history(client, case, household["id"])
    assert (newest["status"], newest["monthly_amount"]) == ("applied", "350.00")


async def _ledger(client: httpx.AsyncClient, case: Case, household_id: int) -> list[Any]:
    response = await client.get(f"/staff/households/{household_id}/ledger", headers=case.worker)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_an_advance_waits_past_the_last_step_for_the_household(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name="郑先行", help_types=["emergency"])
    await case.transition("accept", case.worker)
    await case.start("temporary_aid")
    await case.step("advance", amount="700.00")
    await case.step("paperwork")
    await case.transition("start_investigation", case.worker)
    await case.transition("submit_review", case.worker)
    decided = await case.step("confirm", case.officer, outcome="approve")
    assert decided["outcome"] == "approved"
    assert step_of(decided, "advance")["detail"]["ledger_pending"] is True

    # No step is left to take: registering the household writes the advance, dated as paid.
    household = await create_household(
        client, case.street, members=[member(name="郑先行", id_number=case.id_number)]
    )
    # The registration announces its people's arrival; the job writes the advance.
    assert await _ledger(client, case, household["id"]) == []
    assert await _run_jobs() >= 1
    (entry,) = await _ledger(client, case, household["id"])
    assert (entry["kind"], entry["amount"], entry["date"], entry["giver"]) == (
        "temporary_aid",
        "700.00",
        "2026-09-30",
        "先行救助",
    )
    detail = step_of(await case.view(), "advance")["detail"]
    assert "ledger_pending" not in detail
    assert (detail["household_id"], detail["ledger_entry_id"]) == (household["id"], entry["id"])

    # Later changes to the household do not write it again.
    added = await client.post(
        f"/staff/households/{household['id']}/members",
        json=member(name="郑家人", id_number=id_number(date(1995, 3, 3)), relation="spouse"),
        headers=case.street,
    )
    assert added.status_code == 201, added.text
    assert await _run_jobs() >= 1
    assert len(await _ledger(client, case, household["id"])) == 1


async def test_an_advance_reaches_the_ledger_when_the_person_joins_a_household(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, date(2026, 9, 30))
    case = await Case(client).open(name="冯加入", help_types=["emergency"])
    await case.transition("accept", case.worker)
    await case.start("temporary_aid")
    await case.step("advance", amount="400.00")
    household = await create_household(client, case.street)
    assert await _ledger(client, case, household["id"]) == []
    added = await client.post(
        f"/staff/households/{household['id']}/members",
        json=member(name="冯加入", id_number=case.id_number, relation="child"),
        headers=case.street,
    )
    assert added.status_code == 201, added.text
    await _run_jobs()
    (entry,) = await _ledger(client, case, household["id"])
    assert entry["amount"] == "400.00" and entry["date"] == "2026-09-30"
    # The next step of the procedure finds nothing left to write.
    await case.step("paperwork")
    assert len(await _ledger(client, case, household["id"])) == 1
