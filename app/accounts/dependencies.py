"""Who is calling, as typed dependencies: ``CurrentStaff``, ``CurrentResident``, scopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import repository
from app.accounts.scopes import Scope, has_scope
from app.accounts.security import decode_access_token, token_digest
from app.config import get_settings
from app.db.deps import Session
from app.db.session import session_scope
from app.errors import Forbidden, Unauthorized
from app.kit.actor import Actor

_bearer = HTTPBearer(auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


async def client_address(request: Request) -> str:
    """The caller's address; X-Forwarded-For only from a configured trusted proxy."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in get_settings().trusted_proxy_list:
        return forwarded.split(",")[0].strip()[:64]
    return peer[:64]


Client = Annotated[str, Depends(client_address)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ApiKey = Annotated[str | None, Depends(_api_key)]


async def _actor_from_token(session: Session, credentials: Bearer, client: Client) -> Actor:
    if credentials is None:
        raise Unauthorized()
    kind, subject_id, _role = decode_access_token(credentials.credentials)
    if kind == "staff":
        staff = await repository.staff_by_id(session, subject_id)
        if staff is None or not staff.active:
            raise Unauthorized("账号已停用", code="invalid_token")
        return Actor("staff", staff.id, staff.role, staff.region_code, client)
    resident = await repository.resident_by_id(session, subject_id)
    if resident is None:
        raise Unauthorized(code="invalid_token")
    return Actor("resident", resident.id, "resident", None, client)


async def current_staff(session: Session, credentials: Bearer, client: Client) -> Actor:
    actor = await _actor_from_token(session, credentials, client)
    if actor.kind != "staff":
        raise Forbidden("仅限工作人员", code="staff_only")
    return actor


async def current_resident(session: Session, credentials: Bearer, client: Client) -> Actor:
    actor = await _actor_from_token(session, credentials, client)
    if actor.kind != "resident":
        raise Forbidden("仅限群众用户", code="resident_only")
    return actor


async def current_resident_standalone(credentials: Bearer, client: Client) -> Actor:
    """The signed-in resident, looked up in a short transaction of its own, for routes that
    call WeChat and must not hold a transaction (SQLite's write lock) open meanwhile."""
    async with session_scope() as session:
        actor = await _actor_from_token(session, credentials, client)
    if actor.kind != "resident":
        raise Forbidden("仅限群众用户", code="resident_only")
    return actor


async def current_user(session: Session, credentials: Bearer, client: Client) -> Actor:
    return await _actor_from_token(session, credentials, client)


async def current_submitter(
    session: Session, credentials: Bearer, api_key: ApiKey, client: Client
) -> Actor:
    """A resident (bearer token) or an agency (``X-API-Key``)."""
    actor = await _any_caller(session, credentials, api_key, client)
    if actor.kind == "staff":
        raise Forbidden("工作人员请使用 /staff/applications 录入", code="resident_only")
    return actor


async def submitter_from_token(
    session: Session, credentials: Bearer, api_key: ApiKey, client: Client
) -> Actor:
    """As :func:`current_submitter`, but a resident is taken from the token's claims (kind, id
    and role) without a lookup: for a route whose write refuses a resident who does not exist
    (a foreign key) and answers that 401 itself, as ``POST /applications`` does."""
    if credentials is not None and not api_key:
        kind, subject_id, _role = decode_access_token(credentials.credentials)
        if kind == "resident":
            return Actor("resident", subject_id, "resident", None, client)
    return await current_submitter(session, credentials, api_key, client)


CurrentStaff = Annotated[Actor, Depends(current_staff)]
CurrentResident = Annotated[Actor, Depends(current_resident)]
CurrentResidentStandalone = Annotated[Actor, Depends(current_resident_standalone)]
CurrentUser = Annotated[Actor, Depends(current_user)]
CurrentSubmitter = Annotated[Actor, Depends(current_submitter)]
TokenSubmitter = Annotated[Actor, Depends(submitter_from_token)]


def require_scope(scope: Scope) -> Callable[..., Awaitable[Actor]]:
    async def _check(actor: CurrentStaff) -> Actor:
        if not has_scope(actor.role, scope):
            raise Forbidden(f"当前角色无权执行此操作（{scope.value}）", code="scope_denied")
        return actor

    return _check


# A staff member holding one scope: ``actor: RequireCasesRead`` in a route signature (403
# ``scope_denied`` otherwise). One alias per scope, so that type checkers see an ``Actor``.
RequireCasesRead = Annotated[Actor, Depends(require_scope(Scope.cases_read))]
RequireCasesCreate = Annotated[Actor, Depends(require_scope(Scope.cases_create))]
RequireCasesTriage = Annotated[Actor, Depends(require_scope(Scope.cases_triage))]
RequireCasesAssign = Annotated[Actor, Depends(require_scope(Scope.cases_assign))]
RequireCasesWork = Annotated[Actor, Depends(require_scope(Scope.cases_work))]
RequireCasesDecide = Annotated[Actor, Depends(require_scope(Scope.cases_decide))]
RequireCasesClose = Annotated[Actor, Depends(require_scope(Scope.cases_close))]
RequirePersonalReveal = Annotated[Actor, Depends(require_scope(Scope.personal_reveal))]
RequireAuditRead = Annotated[Actor, Depends(require_scope(Scope.audit_read))]
RequireHouseholdsRead = Annotated[Actor, Depends(require_scope(Scope.households_read))]
RequireHouseholdsWrite = Annotated[Actor, Depends(require_scope(Scope.households_write))]
RequireHouseholdsExport = Annotated[Actor, Depends(require_scope(Scope.households_export))]
RequireCategoriesDecide = Annotated[Actor, Depends(require_scope(Scope.categories_decide))]
RequireStandardsWrite = Annotated[Actor, Depends(require_scope(Scope.standards_write))]
RequireAccountsAdmin = Annotated[Actor, Depends(require_scope(Scope.accounts_admin))]
RequireJobsManage = Annotated[Actor, Depends(require_scope(Scope.jobs_manage))]
RequireCalendarManage = Annotated[Actor, Depends(require_scope(Scope.calendar_manage))]
RequireVisitsRead = Annotated[Actor, Depends(require_scope(Scope.visits_read))]
RequireMonitoringRead = Annotated[Actor, Depends(require_scope(Scope.monitoring_read))]
RequireVisitsRecord = Annotated[Actor, Depends(require_scope(Scope.visits_record))]
RequireVisitsAssign = Annotated[Actor, Depends(require_scope(Scope.visits_assign))]
RequireVisitPolicyManage = Annotated[Actor, Depends(require_scope(Scope.visit_policy_manage))]
RequireWarningsRead = Annotated[Actor, Depends(require_scope(Scope.warnings_read))]
RequireWarningsDispatch = Annotated[Actor, Depends(require_scope(Scope.warnings_dispatch))]
RequireWarningsVerify = Annotated[Actor, Depends(require_scope(Scope.warnings_verify))]
RequireWarningsResolve = Annotated[Actor, Depends(require_scope(Scope.warnings_resolve))]
RequireRulesManage = Annotated[Actor, Depends(require_scope(Scope.rules_manage))]
RequireStatsRead = Annotated[Actor, Depends(require_scope(Scope.stats_read))]
RequireAssistanceRead = Annotated[Actor, Depends(require_scope(Scope.assistance_read))]
RequireAssistanceWork = Annotated[Actor, Depends(require_scope(Scope.assistance_work))]
RequireAssistanceApprove = Annotated[Actor, Depends(require_scope(Scope.assistance_approve))]
RequireProjectsManage = Annotated[Actor, Depends(require_scope(Scope.projects_manage))]


async def _any_caller(
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
    api_key: str | None,
    client: str,
) -> Actor:
    if api_key:
        agency = await repository.agency_by_key_hash(session, token_digest(api_key))
        if agency is None:
            raise Unauthorized("API key 无效", code="invalid_api_key")
        return Actor("agency", agency.id, "agency", agency.region_code, client)
    return await _actor_from_token(session, credentials, client)


async def any_caller_standalone(credentials: Bearer, api_key: ApiKey, client: Client) -> Actor:
    """Any authenticated caller, looked up in a short transaction of its own, for routes
    (uploads) that must not hold a transaction open while the body streams in."""
    async with session_scope() as session:
        return await _any_caller(session, credentials, api_key, client)


async def any_caller(
    session: Session, credentials: Bearer, api_key: ApiKey, client: Client
) -> Actor:
    return await _any_caller(session, credentials, api_key, client)


async def current_agency(session: Session, api_key: ApiKey, client: Client) -> Actor:
    """An agency or social organization calling with its ``X-API-Key`` (401 without one)."""
    if not api_key:
        raise Unauthorized("缺少 API key", code="invalid_api_key")
    return await _any_caller(session, None, api_key, client)


CurrentAgency = Annotated[Actor, Depends(current_agency)]
AnyCaller = Annotated[Actor, Depends(any_caller)]
AnyCallerStandalone = Annotated[Actor, Depends(any_caller_standalone)]
