"""Input hardening through HTTP: identifiers normalised before they are checked, hashed and
masked (full-width digits, U+3000, lower-case x); the province part of an ID number; strict
booleans; date windows; multipart bodies cut short; a blank search."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.db.session import session_scope
from app.kit.crypto import get_cipher
from app.kit.idnumber import check_digit, make_id_number
from app.kit.timeutil import local_today
from app.models.application import Application, Attachment
from app.models.household import HouseholdMember, LedgerEntry
from app.models.monitoring import MonitoringImport
from tests.helpers import application_body, login_resident, login_staff
from tests.households.helpers import (
    DISTRICT,
    GUANGHUA,
    LIUCHENG,
    create_household,
    district,
    household_body,
    member,
    street,
)
from tests.intake.support import JPEG, submit
from tests.monitoring.helpers import LI, ZHANG, imported, monitored_household, signals

IDEOGRAPHIC_SPACE = "\u3000"


def full_width(text: str) -> str:
    """``510115…x`` as a Chinese input method types it: ``５１０１１５…ｘ``."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def id_ending_in_x() -> str:
    """A valid ID number whose check character is ``X``."""
    born = date(1980, 1, 1)
    for sequence in range(1000):
        number = make_id_number("510115", born, sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def typed(number: str) -> str:
    """The same number full-width, lower-case x, padded with ideographic spaces."""
    return IDEOGRAPHIC_SPACE + full_width(number.lower()) + " " + IDEOGRAPHIC_SPACE


def masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


async def ids(client: httpx.AsyncClient, headers: dict[str, str], path: str, q: str) -> list[int]:
    response = await client.get(path, params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ---- 1. identifiers normalised at every entry point ----


async def test_full_width_id_is_the_same_person_in_the_registry(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    person = id_ending_in_x()
    household = await create_household(
        client, headers, members=[member(id_number=typed(person))], region_code=full_width(GUANGHUA)
    )
    assert household["region_code"] == GUANGHUA
    assert household["head"]["id_number_masked"] == masked(person)
    assert household["members"][0]["id_number_masked"] == masked(person)
    async with session_scope() as session:
        stored = await session.scalar(
            select(HouseholdMember.id_hash).where(HouseholdMember.household_id == household["id"])
        )
    assert stored == get_cipher().keyed_hash(person)

    # Searching by the ASCII number (or the typed one) finds the household.
    assert await ids(client, headers, "/staff/households", person) == [household["id"]]
    assert await ids(client, headers, "/staff/households", typed(person)) == [household["id"]]

    # A second active household for the same person is refused, whichever way it is typed.
    again = await client.post(
        "/staff/households",
        json=household_body(members=[member(id_number=person)]),
        headers=headers,
    )
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "person_in_active_household"


async def test_full_width_applications_are_linked_and_masked(client: httpx.AsyncClient) -> None:
    alice = await login_resident(client, "alice")
    neighbour = await login_resident(client, "neighbour")
    staff = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    person = id_ending_in_x()
    first = await submit(client, alice, subject={"id_number": person})
    second = await submit(
        client,
        neighbour,
        relation="neighbor",
        subject={
            "id_number": typed(person),
            "phone": IDEOGRAPHIC_SPACE + full_width("13800001234"),
            "region_code": full_width(GUANGHUA) + IDEOGRAPHIC_SPACE,
        },
        reporter={"phone": full_width("13900005678")},
    )
    assert second["subject"]["id_number_masked"] == masked(person)
    assert second["subject"]["phone_masked"] == "138****1234"
    assert second["subject"]["region_code"] == GUANGHUA
    assert second["reporter"]["phone_masked"] == "139****5678"

    detail = await client.get(f"/staff/applications/{second['id']}", headers=staff)
    assert detail.json()["linked_to_id"] == first["id"]
    found = await ids(client, staff, "/staff/applications", person)
    assert sorted(found) == sorted([first["id"], second["id"]])
    async with session_scope() as session:
        hashes = set(await session.scalars(select(Application.subject_id_hash)))
    assert hashes == {get_cipher().keyed_hash(person)}


async def test_full_width_id_in_an_agency_file_matches_the_registry(
    client: httpx.AsyncClient,
) -> None:
    await monitored_household()
    headers = await district(client)
    lines = [
        "id_number,name,visit_date,inpatient,total_cost,out_of_pocket,hospital",
        f"{typed(ZHANG)},张大山,２０２６－０３－０２,是,１００.００,４０.００,温江区人民医院",
        f"{LI},李小花,2026-03-01,否,10,5,某医院,{full_width('510115001001')}",
    ]
    lines[0] += ",region_code"
    lines[1] += ","
    report = await imported(client, headers, "medical", "\n".join(lines).encode())
    assert (report["rejected"], report["matched"], report["unmatched"]) == (0, 2, 0), report
    zhang = await signals(person_hash=get_cipher().keyed_hash(ZHANG))
    assert len(zhang) == 1
    assert zhang[0].occurred_on == date(2026, 3, 2) and zhang[0].amount is not None
    assert zhang[0].person_id_masked == masked(ZHANG)
    li = await signals(person_hash=get_cipher().keyed_hash(LI))
    assert li[0].region_code == GUANGHUA


# ---- 3. the province part of an ID number ----


async def test_an_id_number_outside_every_province_is_422(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    first17 = "000000" + "19700101" + "123"
    nowhere = first17 + check_digit(first17)
    response = await client.post(
        "/staff/households",
        json=household_body(members=[member(id_number=nowhere)]),
        headers=headers,
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "members.0.id_number"
    assert "省级行政区划" in error["message"]
    assert "省级行政区划" in response.json()["message"]

    alice = await login_resident(client, "alice")
    application = await client.post(
        "/applications", json=application_body(subject={"id_number": nowhere}), headers=alice
    )
    assert application.status_code == 422
    assert application.json()["errors"][0]["field"] == "subject.id_number"


# ---- 4. strict booleans ----


async def test_flags_must_be_json_booleans(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    for value in ("true", 1):
        response = await client.post(
            "/staff/households",
            json=household_body(members=[member(severe_illness=value)]),
            headers=headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "members.0.severe_illness"
    rules = await district(client)
    url = "/staff/warning-rules/need_medical_spending"
    assert (await client.patch(url, json={"enabled": "false"}, headers=rules)).status_code == 422
    assert (await client.patch(url, json={"enabled": 0}, headers=rules)).status_code == 422
    assert (await client.patch(url, json={"enabled": False}, headers=rules)).status_code == 200


# ---- 5. date windows ----


async def test_ledger_dates_are_held_to_their_window(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    path = f"/staff/households/{household['id']}/ledger"
    today = local_today()
    entry = {"kind": "dibao_payment", "amount": "270.00", "giver": "温江区民政局"}
    for bad in ("0001-01-01", "1999-12-31", "9999-12-31", str(today + timedelta(days=32))):
        response = await client.post(path, json={**entry, "date": bad}, headers=headers)
        assert response.status_code == 422, (bad, response.text)
        message = response.json()["errors"][0]["message"]
        assert "2000-01-01" in message and str(today + timedelta(days=31)) in message
    for good in ("2000-01-01", str(today), str(today + timedelta(days=31))):
        response = await client.post(path, json={**entry, "date": good}, headers=headers)
        assert response.status_code == 201, (good, response.text)
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerEntry)) == 3


async def test_effective_dates_are_held_to_their_window(client: httpx.AsyncClient) -> None:
    officer = await district(client)
    worker = await street(client)
    household = await create_household(client, worker)
    latest = local_today() + timedelta(days=366)
    standard = {"region_code": DISTRICT, "kind": "dibao", "value": "870.00"}
    for bad in ("1999-12-31", "2099-01-01", str(latest + timedelta(days=1))):
        response = await client.post(
            "/staff/standards", json={**standard, "effective_from": bad}, headers=officer
        )
        assert response.status_code == 422, (bad, response.text)
        assert str(latest) in response.json()["message"]
    decided = await client.post(
        f"/staff/households/{household['id']}/category",
        json={
            "action": "enrol",
            "category": "dibao",
            "effective_date": "9999-12-31",
            "reason": "入户调查核实",
        },
        headers=officer,
    )
    assert decided.status_code == 422, decided.text
    assert decided.json()["errors"][0]["field"] == "effective_date"


# ---- 6. multipart bodies that end before the closing boundary ----


def _cut_short(field: str, filename: str, content: bytes, boundary: str) -> bytes:
    return (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content  # no "\r\n--boundary--"


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


async def test_an_attachment_without_its_closing_boundary_is_refused(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    before = _files(upload_dir)
    boundary = "jiuzhu-cut"
    response = await client.post(
        f"/applications/{application['id']}/attachments",
        content=_cut_short("file", "photo.jpg", JPEG, boundary),
        headers={**alice, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "multipart_incomplete"
    assert _files(upload_dir) == before
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 0

    whole = _cut_short("file", "photo.jpg", JPEG, boundary) + f"\r\n--{boundary}--\r\n".encode()
    accepted = await client.post(
        f"/applications/{application['id']}/attachments",
        content=whole,
        headers={**alice, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert accepted.status_code == 201, accepted.text


async def test_an_import_without_its_closing_boundary_is_refused(
    client: httpx.AsyncClient, upload_dir: Path
) -> None:
    headers = await district(client)
    boundary = "jiuzhu-cut"
    source = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nmedical\r\n'
    ).encode()
    csv = (
        "id_number,name,visit_date,inpatient,total_cost,out_of_pocket,hospital\n"
        f"{ZHANG},张大山,2026-03-02,是,100.00,40.00,温江区人民医院\n"
    ).encode()
    before = _files(upload_dir)
    response = await client.post(
        "/staff/imports",
        content=source + _cut_short("file", "data.csv", csv, boundary),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "multipart_incomplete"
    assert _files(upload_dir) == before
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(MonitoringImport)) == 0


# ---- 7. a blank search ----


async def test_a_blank_q_is_422_not_everything(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    await create_household(client, headers)
    staff = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    alice = await login_resident(client, "alice")
    await submit(client, alice)
    for path, caller in (("/staff/households", headers), ("/staff/applications", staff)):
        for q in (IDEOGRAPHIC_SPACE, "  ", IDEOGRAPHIC_SPACE + " \u200b"):
            response = await client.get(path, params={"q": q}, headers=caller)
            assert response.status_code == 422, (path, q, response.text)
            assert response.json()["code"] == "query_blank"


async def test_region_filters_take_full_width_codes(client: httpx.AsyncClient) -> None:
    headers = await street(client)
    household = await create_household(client, headers)
    typed_region = full_width(GUANGHUA) + IDEOGRAPHIC_SPACE
    listed = await client.get(
        "/staff/households", params={"region_code": typed_region}, headers=headers
    )
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [household["id"]]
    ascii_children = (await client.get("/regions", params={"parent_code": LIUCHENG})).json()
    typed_children = await client.get("/regions", params={"parent_code": full_width(LIUCHENG)})
    assert typed_children.json() == ascii_children and ascii_children["items"]
    alice = await login_resident(client, "alice")
    application = await submit(client, alice)
    staff = await login_staff(client, "liucheng1", "street_officer", LIUCHENG)
    queue = await client.get(
        "/staff/applications", params={"region_code": typed_region}, headers=staff
    )
    assert queue.status_code == 200, queue.text
    assert [item["id"] for item in queue.json()["items"]] == [application["id"]]
