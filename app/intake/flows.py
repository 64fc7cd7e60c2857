"""Flows that start in intake and cross into other domains, each step in the caller's
transaction (the request's, or a worker's or command's own ``session_scope()``).

Approval: the case moves to ``approved`` (intake), then the registry enrols the subject's
household or changes its category (:mod:`app.households.categories.enrolment`), intake
records on the approval event what the registry did, and the subject's arrival in the household
is announced (:mod:`app.households.arrivals`: a temporary-aid advance paid before they had one
is then written to its ledger). Aid given once (临时救助) is approved
without enrolment, by its statutory procedure only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.households import arrivals
from app.households import repository as households
from app.households.categories import enrolment
from app.intake import repository, service
from app.intake.errors import InvalidTransition
from app.intake.schemas import Action, TransitionIn
from app.kit.actor import Actor
from app.kit.crypto import get_cipher
from app.kit.timeutil import now, to_local
from app.models.application import Application


def approved_subject(application: Application) -> enrolment.ApprovedSubject:
    """What the approval decided about its subject, in the registry's terms."""
    assert application.decision_category is not None
    encrypted = application.subject_id_enc
    phone = application.subject_phone_enc
    return enrolment.ApprovedSubject(
        application_id=application.id,
        application_reference=application.reference,
        name=application.subject_name,
        id_number=get_cipher().decrypt(encrypted) if encrypted else None,
        id_hash=application.subject_id_hash,
        region_code=application.region_code,
        address=application.address,
        phone=get_cipher().decrypt(phone) if phone else None,
        household_size=application.household_size,
        category=application.decision_category,
        monthly_amount=application.decision_amount,
        decided_on=to_local(application.decided_at or now()).date(),
    )


async def transition(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    body: TransitionIn,
    *,
    by_procedure: bool = False,
) -> Application:
    """A life-cycle step; an approval also enrols the subject's household in the registry.
    A case under a statutory procedure is approved or denied by its decision step only
    (``by_procedure``: app/procedures), so no step of the procedure is skipped."""
    decides = body.action in (Action.approve, Action.deny)
    if decides and not by_procedure and await repository.has_procedure(session, application_id):
        raise InvalidTransition(
            "该申请按法定程序办理，须通过程序的决定步骤批准或不予批准",
            code="procedure_governs_decision",
        )
    application = await service.transition(session, actor, application_id, body)
    if body.action == Action.approve:
        note = await enrolment.enrol(session, actor, approved_subject(application))
        await service.note_on_approval(session, application, note)
        # The household registered (or enrolled) now may be what an earlier temporary-aid
        # advance for the same person was waiting for.
        if application.subject_id_hash:
            household_id = await households.active_household_id_of(
                session, application.subject_id_hash
            )
            if household_id is not None:
                await arrivals.announce(session, actor, household_id)
    return application


async def approve_without_enrolment(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    *,
    note: str = "",
    public_note: str = "",
) -> Application:
    """A statutory procedure's approval of aid given once (临时救助): the case is approved and
    the registry, which keeps no such category, enrols nobody. 409 ``decision_required`` for a
    case not under a procedure: every other approval goes through :func:`transition` with the
    registry decision :class:`TransitionIn` demands."""
    if not await repository.has_procedure(session, application_id):
        raise InvalidTransition(
            "审批通过须给出救助决定（救助类别与月救助金额）", code="decision_required"
        )
    return await service.approve_without_enrolment(
        session, actor, application_id, note, public_note
    )
