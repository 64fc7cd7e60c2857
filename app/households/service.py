"""The monitoring registry: households and their members, kept versioned and audited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.config import get_settings
from app.errors import Forbidden, OutsideJurisdiction
from app.households import contact, repository
from app.households.categories import care
from app.households.changelog import (
    ChangeLog,
    check_version,
    current_members,
    member_snapshot,
)
from app.households.errors import (
    DuplicateMember,
    ExactlyOneHead,
    HeadRequired,
    MemberRemoved,
    PersonInActiveHousehold,
    field_errors,
    household_not_found,
    member_not_found,
)
from app.households.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    IncomeSource,
    MemberIn,
    MemberUpdate,
    Relation,
    cause_mask,
)
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher, mask_id_number
from app.kit.idnumber import birth_date, sex
from app.kit.money import money
from app.kit.timeutil import now, to_local
from app.models.household import Household, HouseholdMember
from app.regions.jurisdiction import covers
from app.regions.service import require_leaf_region
from app.schedules import recompute as schedules


async def readable(
    session: AsyncSession, actor: Actor, household_id: int, *, with_members: bool = False
) -> Household:
    """A household in the actor's jurisdiction; 404 ``household_not_found`` otherwise."""
    household = await repository.get_readable(
        session, actor, household_id, with_members=with_members
    )
    if household is None:
        raise household_not_found()
    return household


async def load_for_change(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    expected_version: int | None = None,
    *,
    version_required: bool = False,
) -> Household:
    """The household with its members, locked for the rest of the transaction; 404 outside
    the actor's jurisdiction, 409 ``stale_version`` if ``If-Match`` named another version,
    428 if the change must name one and did not."""
    household = await repository.get_readable(
        session, actor, household_id, for_update=True, with_members=True
    )
    if household is None:
        raise household_not_found()
    check_version(household, expected_version, required=version_required)
    return household


async def _require_region(session: AsyncSession, actor: Actor, code: str) -> None:
    await require_leaf_region(session, code)
    if actor.region_code and not covers(actor.region_code, code):
        raise OutsideJurisdiction(
            "所选社区不在本人辖区内", extra=field_errors("region_code", "outside jurisdiction")
        )


def _income(
    total: Decimal | None, sources: dict[IncomeSource, Decimal] | None
) -> tuple[Decimal, dict[str, str]]:
    """Monthly income and its sources: with sources given, the income is their sum."""
    if sources:
        kept = {source.value: f"{amount:.2f}" for source, amount in sources.items()}
        return money(sum(sources.values(), Decimal("0"))), kept
    return money(total or Decimal("0")), {}


def _identity(id_number: str) -> dict[str, object]:
    """The columns an ID number fills: ciphertext, keyed hash, mask, birth date and sex."""
    cipher = get_cipher()
    return {
        "id_enc": cipher.encrypt(id_number),
        "id_hash": cipher.keyed_hash(id_number),
        "id_masked": mask_id_number(id_number),
        "birth_date": birth_date(id_number),
        "sex": sex(id_number),
    }


def new_member(body: MemberIn, *, active: bool) -> HouseholdMember:
    income, sources = _income(body.monthly_income, body.income_sources)
    return HouseholdMember(
        name=body.name,
        **_identity(body.id_number),
        relation=body.relation.value,
        disability_type=body.disability_type,
        disability_grade=body.disability_grade,
        severe_illness=body.severe_illness,
        chronic_illness=body.chronic_illness,
        work_capacity=body.work_capacity.value,
        employment=body.employment,
        monthly_income=income,
        income_sources=sources,
        active=active,
    )


async def ensure_free(
    session: AsyncSession, hashes: Iterable[str], *, except_member_ids: Iterable[int] = ()
) -> None:
    """409 if any of these people is already an active member of a household."""
    wanted = set(hashes)
    taken = await repository.taken_hashes(session, wanted, except_member_ids=set(except_member_ids))
    if taken:
        raise PersonInActiveHousehold()


def _check_one_head(members: list[MemberIn]) -> None:
    heads = sum(1 for m in members if m.relation == Relation.head)
    if heads != 1:
        raise ExactlyOneHead(extra=field_errors("members", f"{heads} heads"))


def _check_no_repeats(id_numbers: list[str]) -> None:
    repeated = [n for n, count in Counter(id_numbers).items() if count > 1]
    if repeated:
        raise DuplicateMember(extra=field_errors("members", "same id_number more than once"))


async def create_household(
    session: AsyncSession,
    actor: Actor,
    body: HouseholdCreate,
    *,
    application_id: int | None = None,
) -> Household:
    """Register a household with its members (exactly one head), as version 1."""
    _check_one_head(body.members)
    _check_no_repeats([m.id_number for m in body.members])
    await _require_region(session, actor, body.region_code)
    cipher = get_cipher()
    await ensure_free(session, (cipher.keyed_hash(m.id_number) for m in body.members))
    at = now()
    number = await repository.next_reference_number(session)
    members = [new_member(m, active=True) for m in body.members]
    household = Household(
        reference=f"{get_settings().reference_prefix}H{to_local(at).year}-{number:06d}",
        region_code=body.region_code,
        address=body.address,
        status="active",
        risk_level=body.risk_level.value,
        risk_reason=body.risk_reason,
        risk_set_by_id=actor.id if actor.kind == "staff" else None,
        risk_set_at=at,
        causes=[c.value for c in body.causes],
        cause_mask=cause_mask(body.causes),
        medical_spending=body.monthly_rigid_spending.medical,
        education_spending=body.monthly_rigid_spending.education,
        version=1,
        application_id=application_id,
        created_by_id=actor.id if actor.kind == "staff" else None,
        members=members,
        declared_size=body.declared_size,
    )
    contact.seal_phone(household, body.phone)
    session.add(household)
    await repository.flush_members(session)
    log = ChangeLog(household)
    log.note("create", "reference", None, household.reference)
    for member in members:
        log.note("member_add", "member", None, member_snapshot(member), member)
    await log.save(
        session, actor, "household.create", {"reference": household.reference}, first=True
    )
    await schedules.recompute_household(session, household.id)  # its first visit falls due
    return household


async def update_household(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    body: HouseholdUpdate,
    expected_version: int | None,
    *,
    version_required: bool = False,
) -> Household:
    """Change address, region, causes, risk (with its reason), rigid spending or a tekun
    household's care arrangement."""
    household = await load_for_change(
        session, actor, household_id, expected_version, version_required=version_required
    )
    log = ChangeLog(household)
    # Risk level and community decide the visit cycle (走访周期).
    before = (household.risk_level, household.region_code)
    if body.region_code is not None and body.region_code != household.region_code:
        await _require_region(session, actor, body.region_code)
        log.set(household, "region_code", body.region_code, "update")
    if body.address is not None:
        log.set(household, "address", body.address, "update")
    contact.change(log, household, body)
    if "care_arrangement" in body.model_fields_set:
        care.change(log, household, body.care_arrangement)
    if body.causes is not None:
        log.set(household, "causes", [c.value for c in body.causes], "update")
        household.cause_mask = cause_mask(body.causes)
    if body.risk_level is not None and body.risk_reason is not None:
        log.set(household, "risk_level", body.risk_level.value, "risk")
        log.set(household, "risk_reason", body.risk_reason, "risk")
        household.risk_set_by_id = actor.id
        household.risk_set_at = now()
    spending = body.monthly_rigid_spending
    if spending is not None:
        if spending.medical is not None:
            log.set(household, "medical_spending", spending.medical, "update")
        if spending.education is not None:
            log.set(household, "education_spending", spending.education, "update")
    await log.save(session, actor, "household.update")
    if (household.risk_level, household.region_code) != before:
        await schedules.recompute_household(session, household.id)
    return household


def _member_of(household: Household, member_id: int) -> HouseholdMember:
    member = next((m for m in household.members if m.id == member_id), None)
    if member is None:
        raise member_not_found()
    if member.removed_at is not None:
        raise MemberRemoved()
    return member


def _hand_over_head(log: ChangeLog, household: Household, new_head: HouseholdMember) -> None:
    """A member made head takes over; the former head becomes ``other`` until corrected."""
    for member in current_members(household):
        if member is not new_head and member.relation == Relation.head.value:
            log.set(member, "relation", Relation.other.value, "member_update")


async def add_member(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    body: MemberIn,
    expected_version: int | None = None,
) -> Household:
    """Add a person; active unless the household has exited from monitoring."""
    household = await load_for_change(session, actor, household_id, expected_version)
    active = household.status == "active"
    id_hash = get_cipher().keyed_hash(body.id_number)
    if any(m.id_hash == id_hash for m in current_members(household)):
        raise DuplicateMember("此人已是本户成员", extra=field_errors("id_number", "already here"))
    if active:
        await ensure_free(session, [id_hash])
    has_head = any(m.relation == Relation.head.value for m in current_members(household))
    if not has_head and body.relation != Relation.head:
        raise HeadRequired()
    member = new_member(body, active=active)
    household.members.append(member)
    await repository.flush_members(session)
    log = ChangeLog(household)
    log.note("member_add", "member", None, member_snapshot(member), member)
    if body.relation == Relation.head:
        _hand_over_head(log, household, member)
    await log.save(session, actor, "household.member_add", {"member_id": member.id})
    return household


async def update_member(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    member_id: int,
    body: MemberUpdate,
    expected_version: int | None = None,
    *,
    version_required: bool = False,
) -> Household:
    """Correct or update a member; making someone head hands the role over."""
    household = await load_for_change(
        session, actor, household_id, expected_version, version_required=version_required
    )
    member = _member_of(household, member_id)
    log = ChangeLog(household)
    if body.id_number is not None:
        identity = _identity(body.id_number)
        if identity["id_hash"] != member.id_hash:
            others = [m for m in current_members(household) if m is not member]
            if any(m.id_hash == identity["id_hash"] for m in others):
                raise DuplicateMember("此人已是本户成员", extra=field_errors("id_number", "taken"))
            if member.active:
                await ensure_free(
                    session, [str(identity["id_hash"])], except_member_ids=[member.id]
                )
            log.note("member_update", "id_number", member.id_masked, identity["id_masked"], member)
            for column, value in identity.items():
                setattr(member, column, value)
    if body.relation is not None and body.relation.value != member.relation:
        if member.relation == Relation.head.value:
            raise HeadRequired("户主的关系不能直接修改；请把另一位成员设为户主")
        log.set(member, "relation", body.relation.value, "member_update")
        if body.relation == Relation.head:
            _hand_over_head(log, household, member)
    for field in ("name", "severe_illness", "chronic_illness", "employment"):
        value = getattr(body, field)
        if value is not None:
            log.set(member, field, value, "member_update")
    for field in ("disability_type", "disability_grade"):
        if field in body.model_fields_set:
            log.set(member, field, getattr(body, field), "member_update")
    if body.work_capacity is not None:
        log.set(member, "work_capacity", body.work_capacity.value, "member_update")
    if body.monthly_income is not None or body.income_sources is not None:
        income, sources = _income(body.monthly_income, body.income_sources)
        log.set(member, "monthly_income", income, "member_update")
        log.set(member, "income_sources", sources, "member_update")
    await repository.flush_members(session)
    await log.save(session, actor, "household.member_update", {"member_id": member.id})
    return household


async def remove_member(
    session: AsyncSession,
    actor: Actor,
    household_id: int,
    member_id: int,
    reason: str,
    expected_version: int | None = None,
    *,
    version_required: bool = False,
) -> Household:
    """Take a member out of the household, with the reason; the head only when alone."""
    household = await load_for_change(
        session, actor, household_id, expected_version, version_required=version_required
    )
    member = _member_of(household, member_id)
    if member.relation == Relation.head.value and len(current_members(household)) > 1:
        raise HeadRequired("户主不能移出：请先把另一位成员设为户主")
    log = ChangeLog(household)
    log.note("member_remove", "member", member_snapshot(member), None, member)
    log.note("member_remove", "removed_reason", None, reason, member)
    member.active = False
    member.removed_at = now()
    member.removed_reason = reason
    await log.save(session, actor, "household.member_remove", {"member_id": member.id})
    return household


async def reveal_member(
    session: AsyncSession, actor: Actor, household_id: int, member_id: int, reason: str
) -> str:
    """A member's ID number in clear, for a stated reason; every reveal is audited."""
    if not has_scope(actor.role, Scope.personal_reveal):
        raise Forbidden("当前角色不能查看个人敏感信息", code="action_not_allowed")
    household = await readable(session, actor, household_id, with_members=True)
    member = next((m for m in household.members if m.id == member_id), None)
    if member is None:
        raise member_not_found()
    await audit.record(
        session,
        actor,
        "household.member_reveal",
        "household",
        household.id,
        {"member_id": member.id, "reason": reason, "fields": ["id_number"]},
    )
    return get_cipher().decrypt(member.id_enc)
