"""``/admin``: staff accounts and agencies, for the ``admin`` role, within its region."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireAccountsAdmin
from app.accounts.scopes import Role
from app.admin import service
from app.admin.schemas import (
    AgencyAccount,
    AgencyAccountCreate,
    AgencyAccountPage,
    AgencyWithKey,
    PasswordReset,
    StaffAccount,
    StaffAccountCreate,
    StaffAccountPage,
    StaffAccountUpdate,
)
from app.db.deps import Session
from app.kit.crypto import get_cipher
from app.kit.idempotency import IdempotencyKey, request_fingerprint, run_once
from app.kit.pagination import DEFAULT_LIMIT, Cursor, Limit, after_id, split_page
from app.kit.params import RecordId, RegionCodeQuery

router = APIRouter(prefix="/admin", tags=["admin"])

Admin = RequireAccountsAdmin


@router.get("/staff", response_model=StaffAccountPage)
async def list_staff(
    session: Session,
    actor: Admin,
    role: Role | None = None,
    region_code: RegionCodeQuery = None,
    active: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> StaffAccountPage:
    """Staff accounts in the caller's region, with their last login."""
    rows = await service.list_staff(
        session,
        actor,
        role=role,
        region_code=region_code,
        active=active,
        after_id=after_id(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit)
    return StaffAccountPage(
        items=[StaffAccount.model_validate(s) for s in page], next_cursor=next_cursor
    )


@router.post("/staff", status_code=201, response_model=StaffAccount)
async def create_staff(
    body: StaffAccountCreate,
    session: Session,
    actor: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a staff account (as ``create-staff``); audited."""

    async def create() -> tuple[int, object]:
        staff = await service.create_staff(
            session,
            actor,
            username=body.username,
            password=body.password,
            role=body.role,
            region_code=body.region_code,
            display_name=body.display_name,
        )
        return 201, StaffAccount.model_validate(staff).model_dump(mode="json")

    # The body's fingerprint must not be a plain hash of a password: key it like personal data.
    password_key = get_cipher().keyed_hash(body.password)
    fingerprint = request_fingerprint({**body.model_dump(exclude={"password"}), "p": password_key})
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status)


@router.patch("/staff/{staff_id}", response_model=StaffAccount)
async def update_staff(
    staff_id: RecordId, body: StaffAccountUpdate, session: Session, actor: Admin
) -> StaffAccount:
    """Disable, enable, change role, region or display name; disabling ends all sessions."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return StaffAccount.model_validate(
        await service.update_staff(session, actor, staff_id, changes)
    )


@router.post("/staff/{staff_id}/password", response_model=StaffAccount)
async def reset_password(
    staff_id: RecordId, body: PasswordReset, session: Session, actor: Admin
) -> StaffAccount:
    """Set a new password; the account's sessions end. Audited, the password never."""
    return StaffAccount.model_validate(
        await service.reset_password(session, actor, staff_id, body.password)
    )


@router.get("/agencies", response_model=AgencyAccountPage)
async def list_agencies(
    session: Session, actor: Admin, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AgencyAccountPage:
    """Agencies registered in the caller's region (key prefixes only)."""
    rows = await service.list_agencies(
        session,
        actor,
        after_id=after_id(cursor),
        limit=limit + 1,
    )
    page, next_cursor = split_page(rows, limit)
    return AgencyAccountPage(
        items=[AgencyAccount.model_validate(a) for a in page], next_cursor=next_cursor
    )


@router.post("/agencies", status_code=201, response_model=AgencyWithKey)
async def create_agency(
    body: AgencyAccountCreate,
    session: Session,
    actor: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an agency; its API key is in this answer only. A replay with the same
    ``Idempotency-Key`` gives the agency without the key (only its hash is kept)."""
    issued: list[str] = []

    async def create() -> tuple[int, object]:
        agency, key = await service.create_agency(
            session, actor, name=body.name, region_code=body.region_code
        )
        issued.append(key)
        return 201, AgencyWithKey.model_validate({**_fields(agency), "api_key": None}).model_dump(
            mode="json"
        )

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    if issued:
        payload = {**payload, "api_key": issued[0]}
    return JSONResponse(payload, status_code=status)


@router.post("/agencies/{agency_id}/key", response_model=AgencyWithKey)
async def rotate_agency_key(agency_id: RecordId, session: Session, actor: Admin) -> AgencyWithKey:
    """A new API key, shown once; the previous key stops working at once."""
    agency, key = await service.rotate_agency_key(session, actor, agency_id)
    return AgencyWithKey.model_validate({**_fields(agency), "api_key": key})


@router.delete("/agencies/{agency_id}/key", response_model=AgencyAccount)
async def revoke_agency_key(agency_id: RecordId, session: Session, actor: Admin) -> AgencyAccount:
    """Revoke the agency's API key: its next call is 401."""
    return AgencyAccount.model_validate(await service.revoke_agency_key(session, actor, agency_id))


def _fields(agency: object) -> dict[str, object]:
    return AgencyAccount.model_validate(agency).model_dump()
