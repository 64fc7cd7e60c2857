"""A household's contact: the phone to call (sealed, looked up by keyed hash, shown masked,
revealed only with a reason and audited) and the household size declared on its application."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import Forbidden
from app.households.changelog import ChangeLog
from app.households.schemas import HouseholdUpdate
from app.kit import audit
from app.kit.actor import Actor
from app.kit.crypto import get_cipher, mask_phone
from app.models.household import Household


def seal_phone(household: Household, phone: str | None) -> None:
    cipher = get_cipher()
    household.phone_enc = cipher.encrypt(phone) if phone else None
    household.phone_hash = cipher.keyed_hash(phone) if phone else None
    household.phone_masked = mask_phone(phone) if phone else None


def change(log: ChangeLog, household: Household, body: HouseholdUpdate) -> None:
    """A new phone or declared size, kept in the version history (the phone masked)."""
    if body.phone is not None and household.phone_hash != get_cipher().keyed_hash(body.phone):
        log.note("update", "phone", household.phone_masked, mask_phone(body.phone))
        seal_phone(household, body.phone)
    if body.declared_size is not None:
        log.set(household, "declared_size", body.declared_size, "update")


def members_to_record(household: Household) -> int:
    """Members declared on the application but not yet recorded."""
    return max((household.declared_size or 0) - household.members_count, 0)


async def reveal(
    session: AsyncSession, actor: Actor, household: Household, reason: str
) -> str | None:
    """The contact phone in clear, for a stated reason; every reveal is audited."""
    if not has_scope(actor.role, Scope.personal_reveal):
        raise Forbidden("当前角色不能查看个人敏感信息", code="action_not_allowed")
    await audit.record(
        session,
        actor,
        "household.contact_reveal",
        "household",
        household.id,
        {"reason": reason, "fields": ["phone"]},
    )
    return get_cipher().decrypt(household.phone_enc) if household.phone_enc else None
