"""The monitoring registry for staff: households, members, categories, ledger, export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from app.accounts.dependencies import (
    RequireHouseholdsExport,
    RequireHouseholdsRead,
    RequireHouseholdsWrite,
)
from app.db.deps import Session
from app.errors import Invalid
from app.households import contact, export, flows, ledger, service, views
from app.households.categories.vocabulary import Category
from app.households.changelog import parse_if_match
from app.households.repository import HouseholdFilter
from app.households.schemas import (
    Cause,
    ChangePage,
    HouseholdCreate,
    HouseholdDetail,
    HouseholdPage,
    HouseholdStatus,
    HouseholdUpdate,
    LedgerEntryOut,
    LedgerIn,
    LedgerPage,
    MemberIn,
    MemberRemove,
    MemberUpdate,
    RevealedContact,
    RevealedMember,
    RiskLevel,
)
from app.kit.idempotency import IdempotencyKey, run_once
from app.kit.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    after_date_id,
    split_page,
)
from app.kit.params import RecordId, RegionCodeQuery
from app.kit.schemas import RevealIn
from app.kit.search import parse_query
from app.models.household import Household

router = APIRouter(prefix="/staff", tags=["registry"])

Reader = RequireHouseholdsRead
Writer = RequireHouseholdsWrite
Exporter = RequireHouseholdsExport
RemovalReason = Annotated[
    str | None,
    Query(min_length=2, max_length=500, description="删除成员的原因（也可放在 JSON 请求体中）"),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=40, description="上次读取的版本号；不一致时 409"),
]


def household_filter(
    category: Category | None = None,
    risk_level: RiskLevel | None = None,
    region_code: RegionCodeQuery = None,
    cause: Cause | None = None,
    status: HouseholdStatus | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=50,
            pattern=r"^[^\x00]+$",
            description="户编号、完整身份证号或姓名开头",
        ),
    ] = None,
) -> HouseholdFilter:
    search = parse_query(q) if q else {}
    return HouseholdFilter(
        category=category.value if category else None,
        risk_level=risk_level.value if risk_level else None,
        region_code=region_code,
        cause=cause.value if cause else None,
        status=status.value if status else None,
        reference=search.get("reference"),
        id_hash=search.get("id_hash"),
        name_prefix=search.get("name_prefix"),
        q_shown=search.get("shown"),
    )


Filters = Annotated[HouseholdFilter, Depends(household_filter)]


def _etag(response: Response, household: Household) -> None:
    response.headers["ETag"] = f'"{household.version}"'


def _version_tag(payload: object) -> dict[str, str]:
    version = payload.get("version") if isinstance(payload, dict) else None
    return {"ETag": f'"{version}"'} if isinstance(version, int) else {}


async def _created(session: Session, household: Household) -> tuple[int, object]:
    return 201, (await views.detail(session, household)).model_dump(mode="json")


@router.get("/households", response_model=HouseholdPage)
async def list_households(
    session: Session,
    actor: Reader,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> HouseholdPage:
    """Households in the caller's jurisdiction, newest first."""
    return await views.page(session, actor, filters, limit, cursor)


@router.get(
    "/households/export.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {export.XLSX_TYPE: {}}, "description": "XLSX，身份证号已脱敏"}},
)
async def export_households(
    session: Session,
    actor: Exporter,
    filters: Filters,
) -> StreamingResponse:
    """The list, with the same filters, as an XLSX workbook (masked IDs); audited."""
    handle, _count = await export.build(session, actor, filters)
    return StreamingResponse(
        export.chunks(handle),
        media_type=export.XLSX_TYPE,
        headers={
            "Content-Disposition": 'attachment; filename="households.xlsx"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/households", status_code=201, response_model=HouseholdDetail)
async def create_household(
    body: HouseholdCreate,
    session: Session,
    actor: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a household and its members (exactly one head)."""

    async def create() -> tuple[int, object]:
        return await _created(session, await flows.register(session, actor, body))

    status, payload = await run_once(session, actor, idempotency_key, body, create)
    # The version to send back in If-Match, as every read and change gives it.
    return JSONResponse(payload, status_code=status, headers=_version_tag(payload))


@router.get("/households/{household_id}", response_model=HouseholdDetail)
async def get_household(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    response: Response,
) -> HouseholdDetail:
    """The household with its members, category and the dibao standard in force."""
    detail = await views.view(session, actor, household_id)
    response.headers["ETag"] = f'"{detail.version}"'
    return detail


@router.patch("/households/{household_id}", response_model=HouseholdDetail)
async def update_household(
    household_id: RecordId,
    body: HouseholdUpdate,
    session: Session,
    actor: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> HouseholdDetail:
    """Change address, region, causes, risk level (with a reason), rigid spending or a tekun
    household's care arrangement (422 ``care_arrangement_not_tekun`` for any other)."""
    household = await service.update_household(
        session, actor, household_id, body, parse_if_match(if_match), version_required=True
    )
    _etag(response, household)
    return await views.detail(session, household)


@router.post("/households/{household_id}/members", status_code=201, response_model=HouseholdDetail)
async def add_member(
    household_id: RecordId,
    body: MemberIn,
    session: Session,
    actor: Writer,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Add a member; a person already in another active household is refused (409)."""

    async def create() -> tuple[int, object]:
        household = await flows.add_member(
            session, actor, household_id, body, parse_if_match(if_match)
        )
        return await _created(session, household)

    fingerprint = {"household_id": household_id, "member": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status, headers=_version_tag(payload))


@router.patch("/households/{household_id}/members/{member_id}", response_model=HouseholdDetail)
async def update_member(
    household_id: RecordId,
    member_id: RecordId,
    body: MemberUpdate,
    session: Session,
    actor: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> HouseholdDetail:
    """Correct or update a member; making a member head hands the role over."""
    household = await service.update_member(
        session,
        actor,
        household_id,
        member_id,
        body,
        parse_if_match(if_match),
        version_required=True,
    )
    _etag(response, household)
    return await views.detail(session, household)


@router.delete("/households/{household_id}/members/{member_id}", response_model=HouseholdDetail)
async def remove_member(
    household_id: RecordId,
    member_id: RecordId,
    session: Session,
    actor: Writer,
    response: Response,
    reason: RemovalReason = None,
    body: MemberRemove | None = None,
    if_match: IfMatch = None,
) -> HouseholdDetail:
    """Take a member out of the household, recording why (the head only when alone). The
    reason goes in the query (``?reason=``), since many clients send no body with DELETE; a
    JSON body ``{"reason"}`` is still taken."""
    given = reason if reason is not None else body.reason if body is not None else None
    if given is None:
        raise Invalid(
            "提交的数据无效：reason 必填（删除成员须说明原因）",
            extra={
                "errors": [
                    {"field": "reason", "location": "query", "type": "missing", "message": "必填"}
                ]
            },
        )
    household = await service.remove_member(
        session,
        actor,
        household_id,
        member_id,
        given,
        parse_if_match(if_match),
        version_required=True,
    )
    _etag(response, household)
    return await views.detail(session, household)


@router.post("/households/{household_id}/members/{member_id}/reveal", response_model=RevealedMember)
async def reveal_member(
    household_id: RecordId,
    member_id: RecordId,
    body: RevealIn,
    session: Session,
    actor: Reader,
) -> RevealedMember:
    """A member's ID number in clear, with a reason; every reveal is audited."""
    id_number = await service.reveal_member(session, actor, household_id, member_id, body.reason)
    return RevealedMember(id_number=id_number)


@router.post("/households/{household_id}/reveal", response_model=RevealedContact)
async def reveal_contact(
    household_id: RecordId,
    body: RevealIn,
    session: Session,
    actor: Reader,
) -> RevealedContact:
    """The household's contact phone in clear, with a reason; every reveal is audited."""
    household = await service.readable(session, actor, household_id)
    return RevealedContact(phone=await contact.reveal(session, actor, household, body.reason))


@router.get("/households/{household_id}/changes", response_model=ChangePage)
async def list_changes(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ChangePage:
    """The version history: who changed which field, old and new value, newest first."""
    return await views.changes(session, actor, household_id, limit, cursor)


@router.get("/households/{household_id}/ledger", response_model=LedgerPage)
async def list_ledger(
    household_id: RecordId,
    session: Session,
    actor: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> LedgerPage:
    """The household's assistance timeline, latest date first."""
    rows = await ledger.entries(
        session, actor, household_id, before=after_date_id(cursor), limit=limit + 1
    )
    rows, next_cursor = split_page(
        rows,
        limit,
        lambda row: (row.date.isoformat(), row.id),
    )
    return LedgerPage(
        items=[LedgerEntryOut.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )


@router.post("/households/{household_id}/ledger", status_code=201, response_model=LedgerEntryOut)
async def add_ledger_entry(
    household_id: RecordId,
    body: LedgerIn,
    session: Session,
    actor: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record money, goods or a service the household received."""

    async def create() -> tuple[int, object]:
        entry = await ledger.add_entry(session, actor, household_id, body)
        return 201, LedgerEntryOut.model_validate(entry).model_dump(mode="json")

    fingerprint = {"household_id": household_id, "entry": body}
    status, payload = await run_once(session, actor, idempotency_key, fingerprint, create)
    return JSONResponse(payload, status_code=status)
