"""Issue 2 from end to end, over HTTP against the real server: residents and an agency ask for
help, uploads good and bad, staff created on the command line triage the case through its whole
life cycle, and what each party may and may not see."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import Server, cli, create_staff
from tests.helpers import PASSWORD, application_body, id_number

STREET_1 = "510115001000"
COMMUNITY_1 = "510115001001"
STREET_2 = "510115002000"
COMMUNITY_2 = "510115002001"
DISTRICT = "510115000000"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)


def no_partial_uploads() -> bool:
    """Refused uploads leave nothing behind in the upload directory."""
    return not list(Path(os.environ["JIUZHU_UPLOAD_DIR"]).glob("*.part"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class StaffMember:
    id: int
    headers: dict[str, str]


async def create_agency(name: str, region: str) -> str:
    out = await cli("create-agency", "--name", name, "--region", region)
    key = out.strip().splitlines()[-1]
    assert key.startswith("jzk_") and " " not in key
    return key


async def staff_login(http: httpx.AsyncClient, username: str, role: str) -> StaffMember:
    response = await http.post(
        "/auth/staff/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["user"]["role"] == role
    return StaffMember(tokens["user"]["id"], bearer(tokens["access_token"]))


async def wechat_login(http: httpx.AsyncClient, code: str) -> tuple[int, dict[str, str]]:
    response = await http.post("/auth/wechat/login", json={"code": code})
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["user"]["role"] == "resident"
    assert tokens["refresh_token"] and tokens["expires_in"] > 0
    return tokens["user"]["id"], bearer(tokens["access_token"])


async def submit(
    http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    response = await http.post(
        "/applications",
        json=body,
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    application_id: int,
    name: str,
    content: bytes,
    content_type: str,
) -> httpx.Response:
    return await http.post(
        f"/applications/{application_id}/attachments",
        files={"file": (name, content, content_type)},
        headers=headers,
    )


async def act(
    http: httpx.AsyncClient, who: StaffMember, application_id: int, action: str, **extra: Any
) -> httpx.Response:
    return await http.post(
        f"/staff/applications/{application_id}/transitions",
        json={"action": action, **extra},
        headers=who.headers,
    )


async def test_issue_2_story(server: Server) -> None:
    # The command line sets up staff and an agency, as an operator would.
    staff_accounts = [
        ("cw1", "community_worker", COMMUNITY_1),
        ("street1", "street_officer", STREET_1),
        ("street2", "street_officer", STREET_2),
        ("district", "district_officer", DISTRICT),
        ("auditor", "auditor", DISTRICT),
    ]
    *_, agency_key = await asyncio.gather(
        *(create_staff(*account) for account in staff_accounts),
        create_agency("温江区慈善会", DISTRICT),
    )
    agency = {"X-API-Key": agency_key}

    async with httpx.AsyncClient(base_url=server.api_url, timeout=30) as http:
        # Residents log in with WeChat (fake mode: code X is openid fake-X, stable per code).
        a_id, resident_a = await wechat_login(http, "resident-a")
        b_id, resident_b = await wechat_login(http, "resident-b")
        assert a_id != b_id
        assert (await wechat_login(http, "resident-a"))[0] == a_id
        me = await http.get("/me", headers=resident_a)
        assert me.json()["id"] == a_id and me.json()["role"] == "resident"

        # A asks for help for herself.
        a_number = id_number()
        a_body = application_body(
            relation="self",
            subject={"name": "李秀英", "id_number": a_number, "region_code": COMMUNITY_1},
            help_types=["basic_living", "medical"],
            description="丈夫去世，本人患病，生活困难",
        )
        key = uuid.uuid4().hex
        case_a = await submit(http, resident_a, a_body, key)
        assert case_a["status"] == "submitted"
        assert case_a["channel"] == "mini_program"
        assert case_a["relation"] == "self"
        assert case_a["help_types"] == ["basic_living", "medical"]
        assert case_a["reference"].startswith("WJ")
        assert case_a["subject"]["id_number_masked"] == a_number[:6] + "*" * 8 + a_number[-4:]
        assert a_number not in str(case_a)
        assert [t["status"] for t in case_a["timeline"]] == ["submitted"]

        # A replay with the same Idempotency-Key is the same application, not a new one.
        replay = await http.post(
            "/applications", json=a_body, headers={**resident_a, "Idempotency-Key": key}
        )
        assert replay.status_code == 201
        assert (replay.json()["id"], replay.json()["reference"]) == (
            case_a["id"],
            case_a["reference"],
        )
        changed = await http.post(
            "/applications",
            json={**a_body, "description": "另一件事"},
            headers={**resident_a, "Idempotency-Key": key},
        )
        assert changed.status_code == 422
        assert changed.json()["code"] == "idempotency_key_mismatch"
        mine = (await http.get("/applications/mine", headers=resident_a)).json()
        assert [item["id"] for item in mine["items"]] == [case_a["id"]]

        # B reports a neighbour in hardship, in another street, without an ID number.
        case_b = await submit(
            http,
            resident_b,
            application_body(
                relation="neighbor",
                subject={
                    "name": "王大爷",
                    "id_number": None,
                    "phone": None,
                    "region_code": COMMUNITY_2,
                    "address": "公平社区3组",
                },
                help_types=["care"],
            ),
        )
        assert case_b["channel"] == "mini_program_report"
        assert case_b["subject"]["id_number_masked"] is None

        # An agency reports someone with its API key.
        case_c = await submit(
            http,
            agency,
            application_body(relation="agency", subject={"region_code": COMMUNITY_1}),
        )
        assert case_c["channel"] == "agency"
        assert case_c["relation"] == "agency"
        agency_mine = (await http.get("/applications/mine", headers=agency)).json()
        assert [item["id"] for item in agency_mine["items"]] == [case_c["id"]]
        assert (
            await http.get("/applications/mine", headers={"X-API-Key": "jzk_nope"})
        ).status_code == 401

        # A second report about A (same ID number) is linked to A's case, not a new case.
        repeat = await submit(
            http,
            agency,
            application_body(
                relation="agency",
                subject={"name": "李秀英", "id_number": a_number, "region_code": COMMUNITY_1},
            ),
        )
        assert repeat["id"] != case_a["id"]

        # Attachments: PNG and PDF by their bytes; an executable called .png and an oversized
        # file are refused with an answer, not a dropped connection.
        png = await upload(http, resident_a, case_a["id"], "id-card.png", PNG, "image/png")
        assert png.status_code == 201, png.text
        assert png.json() == {"id": png.json()["id"], "content_type": "image/png", "size": len(PNG)}
        pdf = await upload(http, resident_a, case_a["id"], "hospital.pdf", PDF, "application/pdf")
        assert pdf.status_code == 201, pdf.text
        assert pdf.json()["content_type"] == "application/pdf"
        elf = await upload(http, resident_a, case_a["id"], "photo.png", ELF, "image/png")
        assert elf.status_code == 415, elf.text
        assert elf.json()["code"] == "unsupported_file_type"
        huge = PNG + bytes(11 * 1024 * 1024)
        too_big = await upload(http, resident_a, case_a["id"], "big.png", huge, "image/png")
        assert too_big.status_code == 413, too_big.text
        assert too_big.json()["code"] == "file_too_large"
        own = await http.get(
            f"/applications/{case_a['id']}/attachments/{png.json()['id']}", headers=resident_a
        )
        assert own.status_code == 200 and own.content == PNG
        assert own.headers["content-type"] == "image/png"
        theirs = await http.get(
            f"/applications/{case_a['id']}/attachments/{png.json()['id']}", headers=resident_b
        )
        assert theirs.status_code == 404
        assert no_partial_uploads()
        # The server is still answering after the refused uploads.
        assert (await http.get("/applications/mine", headers=resident_a)).status_code == 200

        # Staff log in.
        cw1 = await staff_login(http, "cw1", "community_worker")
        street1 = await staff_login(http, "street1", "street_officer")
        street2 = await staff_login(http, "street2", "street_officer")
        district = await staff_login(http, "district", "district_officer")
        auditor = await staff_login(http, "auditor", "auditor")
        wrong = await http.post(
            "/auth/staff/login", json={"username": "street1", "password": "wrong-password"}
        )
        assert wrong.status_code == 401
        unknown = await http.post(
            "/auth/staff/login", json={"username": "nobody", "password": "wrong-password"}
        )
        assert unknown.status_code == 401
        assert unknown.json()["code"] == wrong.json()["code"]

        # Jurisdiction: street 1 sees A's case (and the linked repeat), not B's report.
        queue_1 = await http.get("/staff/applications", headers=street1.headers)
        assert queue_1.status_code == 200
        ids_1 = [item["id"] for item in queue_1.json()["items"]]
        assert case_a["id"] in ids_1 and case_b["id"] not in ids_1
        item_a = next(i for i in queue_1.json()["items"] if i["id"] == case_a["id"])
        assert item_a["subject"]["region_name"] == "光华社区"
        assert item_a["due_at"] and item_a["priority"] == "normal"
        ids_2 = [
            i["id"]
            for i in (await http.get("/staff/applications", headers=street2.headers)).json()[
                "items"
            ]
        ]
        assert ids_2 == [case_b["id"]]
        hidden = await http.get(f"/staff/applications/{case_a['id']}", headers=street2.headers)
        assert hidden.status_code == 404
        assert hidden.json()["code"] == "application_not_found"
        by_id_number = await http.get(
            "/staff/applications", params={"q": a_number}, headers=street1.headers
        )
        assert sorted(i["id"] for i in by_id_number.json()["items"]) == sorted(
            [case_a["id"], repeat["id"]]
        )

        detail = (
            await http.get(f"/staff/applications/{case_a['id']}", headers=street1.headers)
        ).json()
        assert detail["linked_application_ids"] == [repeat["id"]]
        assert {a["content_type"] for a in detail["attachments"]} == {
            "image/png",
            "application/pdf",
        }
        repeat_detail = (
            await http.get(f"/staff/applications/{repeat['id']}", headers=street1.headers)
        ).json()
        assert repeat_detail["linked_to_id"] == case_a["id"]

        # A wrong role cannot take an action: a community worker cannot approve.
        denied = await act(http, cw1, case_a["id"], "approve", decision={"category": "dibao"})
        assert denied.status_code == 403, denied.text

        # The life cycle, each step by the role that owns it.
        accepted = await act(
            http, street1, case_a["id"], "accept", note="内部：材料齐全", public_note="已受理"
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "accepted"
        assigned = await http.post(
            f"/staff/applications/{case_a['id']}/assign",
            json={"assignee_id": cw1.id, "note": "请入户调查"},
            headers=street1.headers,
        )
        assert assigned.status_code == 200, assigned.text
        assert assigned.json()["assignee_id"] == cw1.id
        not_assignee = await act(http, street1, case_a["id"], "start_investigation")
        assert not_assignee.status_code == 403
        step = await act(
            http, cw1, case_a["id"], "start_investigation", public_note="工作人员将入户调查"
        )
        assert step.status_code == 200, step.text
        assert step.json()["status"] == "investigating"
        step = await act(
            http,
            cw1,
            case_a["id"],
            "submit_review",
            note="内部：家庭月收入 600 元，3 人",
            public_note="调查完成，提交审核",
        )
        assert step.status_code == 200, step.text
        assert step.json()["status"] == "reviewing"
        early_withdraw = await http.post(
            f"/applications/{case_a['id']}/withdraw", json={"note": "不要了"}, headers=resident_a
        )
        assert early_withdraw.status_code == 409
        approved = await act(
            http,
            district,
            case_a["id"],
            "approve",
            decision={"category": "dibao", "monthly_amount": "870.00"},
            public_note="审批通过，纳入低保",
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        assert approved.json()["decision"]["category"] == "dibao"
        assert approved.json()["decision"]["monthly_amount"] == "870.00"
        assert approved.json()["decision"]["decided_by_id"] == district.id

        # A wrong state: nothing can be accepted twice.
        again = await act(http, street1, case_a["id"], "accept")
        assert again.status_code == 409
        assert again.json()["code"] == "invalid_transition"

        closed = await act(http, street1, case_a["id"], "close", public_note="已办结")
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"

        # B cannot see A's application at all; A sees her own with public notes only.
        assert (
            await http.get(f"/applications/{case_a['id']}", headers=resident_b)
        ).status_code == 404
        assert (await http.get(f"/applications/{case_a['id']}", headers=agency)).status_code == 404
        seen = await http.get(f"/applications/{case_a['id']}", headers=resident_a)
        assert seen.status_code == 200
        timeline = seen.json()["timeline"]
        assert [t["status"] for t in timeline] == [
            "submitted",
            "accepted",
            "investigating",
            "reviewing",
            "approved",
            "closed",
        ]
        assert [t["note"] for t in timeline][1:] == [
            "已受理",
            "工作人员将入户调查",
            "调查完成，提交审核",
            "审批通过，纳入低保",
            "已办结",
        ]
        assert "内部" not in seen.text
        assert all("+08:00" in t["at"] for t in timeline)

        # Withdrawal: B's report before any decision, not A's after one.
        withdrawn = await http.post(
            f"/applications/{case_b['id']}/withdraw",
            json={"note": "邻居已有亲属照顾"},
            headers=resident_b,
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["status"] == "withdrawn"
        late = await http.post(
            f"/applications/{case_a['id']}/withdraw", json={"note": ""}, headers=resident_a
        )
        assert late.status_code == 409
        not_hers = await http.post(
            f"/applications/{case_b['id']}/withdraw", json={"note": ""}, headers=resident_a
        )
        assert not_hers.status_code == 404

        # Reveal: for a stated reason, audited, and the auditor sees who looked.
        revealed = await http.post(
            f"/staff/applications/{case_a['id']}/reveal",
            json={"reason": "核对户籍信息"},
            headers=district.headers,
        )
        assert revealed.status_code == 200, revealed.text
        assert revealed.json()["id_number"] == a_number
        auditor_reveal = await http.post(
            f"/staff/applications/{case_a['id']}/reveal",
            json={"reason": "想看看"},
            headers=auditor.headers,
        )
        assert auditor_reveal.status_code == 403
        audit = await http.get(
            "/staff/audit",
            params={"record_type": "application", "record_id": str(case_a["id"]), "limit": 100},
            headers=auditor.headers,
        )
        assert audit.status_code == 200, audit.text
        events = audit.json()["items"]
        reveals = [e for e in events if e["action"] == "application.reveal"]
        assert len(reveals) == 1
        assert reveals[0]["actor_id"] == district.id
        assert reveals[0]["actor_role"] == "district_officer"
        assert reveals[0]["detail"]["reason"] == "核对户籍信息"
        assert reveals[0]["client"] == "127.0.0.1"
        assert a_number not in audit.text
        actions = {e["action"] for e in events}
        assert {"application.submit", "application.accept", "application.approve"} <= actions
        assert (await http.get("/staff/audit", headers=cw1.headers)).status_code == 403
        assert (await http.get("/staff/audit", headers=resident_a)).status_code == 403


async def test_oversized_upload_without_content_length_is_answered(server: Server) -> None:
    """A chunked upload declares no length: the cap is enforced as bytes arrive, and the
    client still gets its 413 rather than a reset connection."""
    boundary = "jiuzhu-e2e-boundary"

    async def chunks() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        yield PNG
        for _ in range(11 * 16):
            yield bytes(64 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    async with httpx.AsyncClient(base_url=server.api_url, timeout=30) as http:
        _, resident = await wechat_login(http, "chunked")
        case = await submit(http, resident, application_body())
        response = await http.post(
            f"/applications/{case['id']}/attachments",
            content=chunks(),
            headers={**resident, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "file_too_large"
        after = await http.get(f"/applications/{case['id']}", headers=resident)
        assert after.status_code == 200
    assert no_partial_uploads()
