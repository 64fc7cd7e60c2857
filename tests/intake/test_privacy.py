"""Privacy hardening: free text sealed at rest, the consent given (strict, versioned,
withdrawable) and the retention rule for finished applications."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from app.config import get_settings
from app.db.session import session_scope
from app.jobs import enqueue
from app.jobs.runner import Runner
from app.kit.timeutil import now
from app.models.application import Attachment
from app.tasks import HANDLERS, PERIODIC, RETENTION_JOB
from tests.helpers import application_body, id_number, login_resident, login_staff
from tests.intake.support import DISTRICT, LIUCHENG, PDF, act, set_application, staff, submit

DESCRIPTION = "孩子白血病住院化疗欠款十二万"
WITHDRAW_NOTE = "家里已借到钱不需要了"
INTERNAL_NOTE = "邻居反映其丈夫有赌博恶习"
PUBLIC_NOTE = "材料齐全已受理请保持电话畅通"
STAFF_NOTE = "入户核实其母患尿毒症透析"
REPORTER = "司马懿然"


async def _raw_rows(table: str, column: str, value: int) -> str:
    """Every column of the matching rows as the database holds them, as one string."""
    async with session_scope() as session:
        rows = await session.execute(
            text(f"SELECT * FROM {table} WHERE {column} = :value"),  # noqa: S608
            {"value": value},
        )
        return "\n".join(repr(tuple(row)) for row in rows)


async def test_descriptions_notes_and_reporter_names_are_sealed_at_rest(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    keyed = {**alice, "Idempotency-Key": "privacy-1"}
    body = application_body(description=DESCRIPTION)
    created = await client.post("/applications", json=body, headers=keyed)
    assert created.status_code == 201
    own = created.json()
    reported = await submit(
        client,
        alice,
        relation="neighbor",
        subject={"name": "王五", "phone": "13900001111"},
        reporter={"name": REPORTER, "phone": "13700002222"},
        description=DESCRIPTION,
    )
    withdrawn = await client.post(
        f"/applications/{own['id']}/withdraw", json={"note": WITHDRAW_NOTE}, headers=alice
    )
    assert withdrawn.status_code == 200
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    accepted = await act(
        client, street, reported["id"], "accept", note=INTERNAL_NOTE, public_note=PUBLIC_NOTE
    )
    assert accepted.status_code == 200, accepted.text
    noted = await client.post(
        f"/staff/applications/{reported['id']}/notes", json={"note": STAFF_NOTE}, headers=street
    )
    assert noted.status_code == 200

    # The database holds none of it in clear (nor the response kept for a replay) ...
    async with session_scope() as session:
        kept = repr((await session.execute(text("SELECT * FROM idempotency_records"))).all())
    assert "privacy-1" in kept
    stored = "\n".join(
        [
            kept,
            await _raw_rows("applications", "id", own["id"]),
            await _raw_rows("applications", "id", reported["id"]),
            await _raw_rows("application_events", "application_id", own["id"]),
            await _raw_rows("application_events", "application_id", reported["id"]),
        ]
    )
    assert "王五" in stored  # the check sees clear text: the subject's name stays searchable
    for secret in (DESCRIPTION, WITHDRAW_NOTE, INTERNAL_NOTE, PUBLIC_NOTE, STAFF_NOTE, REPORTER):
        assert secret not in stored, secret

    # ... and the API still gives it back, a replay included.
    replayed = await client.post("/applications", json=body, headers=keyed)
    assert replayed.status_code == 201
    assert replayed.json()["description"] == DESCRIPTION
    assert replayed.json()["id"] == own["id"]
    mine = await client.get(f"/applications/{own['id']}", headers=alice)
    assert mine.json()["description"] == DESCRIPTION
    assert WITHDRAW_NOTE in [t["note"] for t in mine.json()["timeline"]]
    theirs = await client.get(f"/applications/{reported['id']}", headers=alice)
    assert theirs.json()["reporter"]["name"] == REPORTER
    assert PUBLIC_NOTE in [t["note"] for t in theirs.json()["timeline"]]
    assert INTERNAL_NOTE not in theirs.text and STAFF_NOTE not in theirs.text
    case = (await client.get(f"/staff/applications/{reported['id']}", headers=street)).json()
    assert case["description"] == DESCRIPTION
    assert case["reporter"]["name"] == REPORTER
    notes = [(e["note"], e["public_note"]) for e in case["events"]]
    assert (INTERNAL_NOTE, PUBLIC_NOTE) in notes
    assert (STAFF_NOTE, "") in notes


def test_every_sealed_intake_column_is_rotated() -> None:
    from app.intake.repository import SEALED_COLUMNS

    names = {str(field.ciphertext.key) for field in SEALED_COLUMNS}
    assert {"description_enc", "reporter_name_enc", "note_enc", "public_note_enc"} <= names


# --- consent ---------------------------------------------------------------------------------


@pytest.mark.parametrize("consent", ["true", 1, "1", "yes"])
async def test_consent_must_be_the_json_value_true(client: httpx.AsyncClient, consent: Any) -> None:
    alice = await login_resident(client, "alice")
    response = await client.post(
        "/applications", json=application_body(consent=consent), headers=alice
    )
    assert response.status_code == 422, response.text
    assert "consent" in response.text


async def test_privacy_notice_is_public_and_consent_records_its_version(
    client: httpx.AsyncClient,
) -> None:
    notice = await client.get("/privacy-notice")
    assert notice.status_code == 200
    assert notice.json()["version"] == get_settings().privacy_notice_version == "2026-11"
    assert "个人信息" in notice.json()["text"]

    alice = await login_resident(client, "alice")
    defaulted = await submit(client, alice)
    assert defaulted["consent_version"] == "2026-11"
    named = await submit(client, alice, consent_version="2026-11")
    assert named["consent_version"] == "2026-11"
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    case = await client.get(f"/staff/applications/{named['id']}", headers=street)
    assert case.json()["consent_version"] == "2026-11"

    unknown = await client.post(
        "/applications", json=application_body(consent_version="1999-01"), headers=alice
    )
    assert unknown.status_code == 422
    assert "consent_version" in unknown.text


async def test_withdrawn_consent_refuses_new_applications_until_given_again(
    client: httpx.AsyncClient,
) -> None:
    alice = await login_resident(client, "alice")
    bob = await login_resident(client, "bob")
    open_case = await submit(client, alice)
    bobs = await submit(client, bob)
    assert open_case["consent_withdrawn_at"] is None

    withdrawn = await client.post("/me/consent/withdraw", headers=alice)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["consent"] is False
    again = await client.post("/me/consent/withdraw", headers=alice)
    assert again.json()["withdrawn_at"] == withdrawn.json()["withdrawn_at"]
    assert (await client.get("/me/consent", headers=alice)).json()["consent"] is False

    refused = await client.post("/applications", json=application_body(), headers=alice)
    assert refused.status_code == 403
    assert refused.json()["code"] == "consent_withdrawn"
    # Another resident is not affected; the open case is kept, and marked.
    await submit(client, bob)
    kept = (await client.get(f"/applications/{open_case['id']}", headers=alice)).json()
    assert kept["status"] == "submitted"
    assert kept["consent_withdrawn_at"] is not None
    assert (await client.get(f"/applications/{bobs['id']}", headers=bob)).json()[
        "consent_withdrawn_at"
    ] is None
    street, _ = await staff(client, "liucheng1", "street_officer", LIUCHENG)
    case = await client.get(f"/staff/applications/{open_case['id']}", headers=street)
    assert case.json()["consent_withdrawn_at"] is not None

    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    log = await client.get("/staff/audit", params={"record_type": "resident"}, headers=auditor)
    withdrawals = [e for e in log.json()["items"] if e["action"] == "consent.withdraw"]
    assert len(withdrawals) == 1
    assert withdrawals[0]["actor_kind"] == "resident"
    assert withdrawals[0]["detail"] == {"open_applications_marked": 1}

    not_strict = await client.post("/me/consent", json={"consent": "true"}, headers=alice)
    assert not_strict.status_code == 422
    granted = await client.post("/me/consent", json={"consent": True}, headers=alice)
    assert granted.status_code == 200
    assert granted.json() == {"consent": True, "withdrawn_at": None, "consent_version": "2026-11"}
    await submit(client, alice)
    unmarked = (await client.get(f"/applications/{open_case['id']}", headers=alice)).json()
    assert unmarked["consent_withdrawn_at"] is None
    log = await client.get("/staff/audit", params={"record_type": "resident"}, headers=auditor)
    assert "consent.grant" in [e["action"] for e in log.json()["items"]]

    # Staff cannot withdraw a resident's consent through the resident's endpoint.
    assert (await client.post("/me/consent/withdraw", headers=street)).status_code in (401, 403)


# --- retention -------------------------------------------------------------------------------


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], application_id: int) -> int:
    response = await client.post(
        f"/applications/{application_id}/attachments",
        files={"file": ("身份证.pdf", PDF, "application/pdf")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _run_retention_job() -> None:
    await Runner(HANDLERS).run_due()  # what the submissions queued (their content checks)
    async with session_scope() as session:
        await enqueue(session, RETENTION_JOB)
    assert await Runner(HANDLERS).run_due() == 1


async def test_retention_anonymises_old_finished_applications_only(
    client: httpx.AsyncClient,
) -> None:
    assert RETENTION_JOB in {entry.kind for entry in PERIODIC}
    days = get_settings().retention_days
    long_ago = now() - timedelta(days=days + 1)
    recently = now() - timedelta(days=days - 1)
    alice = await login_resident(client, "alice")
    number = id_number()
    subject = {"name": "令狐冲", "id_number": number, "phone": "13600003333"}
    old_closed = await submit(client, alice, subject=subject, description=DESCRIPTION)
    old_open = await submit(client, alice, description=DESCRIPTION)
    recent_closed = await submit(client, alice, description=DESCRIPTION)
    for case in (old_closed, old_open, recent_closed):
        await _upload(client, alice, case["id"])
    await client.post(
        f"/applications/{old_closed['id']}/withdraw", json={"note": WITHDRAW_NOTE}, headers=alice
    )
    await set_application(old_closed["id"], updated_at=long_ago)
    await set_application(old_open["id"], updated_at=long_ago)
    await set_application(recent_closed["id"], status="rejected", updated_at=recently)
    async with session_scope() as session:
        storage = dict(
            (
                await session.execute(select(Attachment.application_id, Attachment.storage_name))
            ).all()
        )
    upload_dir = get_settings().upload_dir
    assert isinstance(upload_dir, Path)
    assert all((upload_dir / name).exists() for name in storage.values())

    await _run_retention_job()

    gone = (await client.get(f"/applications/{old_closed['id']}", headers=alice)).json()
    assert gone["status"] == "withdrawn"
    assert gone["description"] == ""
    assert gone["subject"]["name"] == "已按保存期限清除"
    assert gone["subject"]["id_number_masked"] is None
    assert gone["subject"]["phone_masked"] is None
    assert WITHDRAW_NOTE not in [t["note"] for t in gone["timeline"]]
    row = await _raw_rows("applications", "id", old_closed["id"])
    assert number[-4:] not in row and "令狐冲" not in row
    assert not (upload_dir / storage[old_closed["id"]]).exists()
    async with session_scope() as session:
        left = set(await session.scalars(select(Attachment.application_id)))
    assert left == {old_open["id"], recent_closed["id"]}
    auditor = await login_staff(client, "auditor1", "auditor", DISTRICT)
    log = await client.get(
        "/staff/audit",
        params={"record_type": "application", "record_id": str(old_closed["id"])},
        headers=auditor,
    )
    entries = [e for e in log.json()["items"] if e["action"] == "application.anonymise"]
    assert len(entries) == 1
    assert entries[0]["actor_kind"] == "system"
    assert entries[0]["detail"] == {"retention_days": days}

    # The open case and the recently finished one are untouched, files and all.
    for case in (old_open, recent_closed):
        kept = (await client.get(f"/applications/{case['id']}", headers=alice)).json()
        assert kept["description"] == DESCRIPTION
        assert kept["subject"]["name"] == case["subject"]["name"]
        assert (upload_dir / storage[case["id"]]).exists()
    # Running it again changes nothing and audits nothing more.
    await _run_retention_job()
    async with session_scope() as session:
        from app.models.audit import AuditEvent

        count = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "application.anonymise")
        )
    assert count == 1
