"""Photos taken on a visit: the same rules as an application's attachments (JPEG or PNG by
their magic bytes, at most 10 MB, streamed to disk by :mod:`app.kit.uploads`), 9 a visit, for
staff who record visits in the household's jurisdiction; every view audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.scopes import Scope, has_scope
from app.errors import AppError, Forbidden, NotFound
from app.kit import audit
from app.kit.actor import Actor
from app.kit.uploads import IMAGES, ReceivedFile, keep
from app.models.household import Household
from app.models.visit import Visit, VisitPhoto
from app.visits import repository
from app.visits.errors import visit_not_found

MAX_PER_VISIT = 9
UNSUPPORTED = "只接受 JPEG 或 PNG 照片"
ACCEPTED = IMAGES


class TooManyPhotos(AppError):
    status = 409
    code = "photo_limit_reached"
    message = f"每次走访最多 {MAX_PER_VISIT} 张照片"


async def readable_visit(
    session: AsyncSession, actor: Actor, visit_id: int, *, for_update: bool = False
) -> Visit:
    """A visit whose household is in the actor's jurisdiction; 404 otherwise."""
    if actor.kind != "staff":
        raise visit_not_found()
    visit = await repository.get_visit(session, visit_id, for_update=for_update)
    if visit is None:
        raise visit_not_found()
    found = await session.scalar(
        repository.readable_statement(actor, Household.id).where(Household.id == visit.household_id)
    )
    if found is None:
        raise visit_not_found()
    return visit


async def check_attachable(
    session: AsyncSession, actor: Actor, visit_id: int, *, for_update: bool = False
) -> Visit:
    """Before the body streams in (and again under the visit's lock): may this caller add a
    photo to this visit, and has it room."""
    if actor.kind == "staff" and not has_scope(actor.role, Scope.visits_record):
        raise Forbidden(
            f"当前角色无权执行此操作（{Scope.visits_record.value}）", code="scope_denied"
        )
    visit = await readable_visit(session, actor, visit_id, for_update=for_update)
    if await repository.count_photos(session, visit.id) >= MAX_PER_VISIT:
        raise TooManyPhotos()
    return visit


async def attach(
    session: AsyncSession, actor: Actor, visit_id: int, received: ReceivedFile
) -> VisitPhoto:
    """Keep a received photo with the visit."""
    await check_attachable(session, actor, visit_id, for_update=True)
    assert received.content_type is not None
    photo = VisitPhoto(
        visit_id=visit_id,
        storage_name=keep(received),
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=actor.id,
    )
    session.add(photo)
    await session.flush()
    await audit.record(
        session,
        actor,
        "visit_photo.upload",
        "visit",
        visit_id,
        {"photo_id": photo.id, "content_type": photo.content_type, "size": photo.size},
    )
    return photo


async def photos(session: AsyncSession, actor: Actor, visit_id: int) -> list[VisitPhoto]:
    """A visit's photos (their descriptions; the files one by one)."""
    visit = await readable_visit(session, actor, visit_id)
    return (await repository.photos_of(session, [visit.id]))[visit.id]


async def readable_photo(
    session: AsyncSession, actor: Actor, visit_id: int, photo_id: int
) -> VisitPhoto:
    """One photo's file, for staff in the household's jurisdiction; the view is audited. Like
    an application's documents, staff who may not reveal personal data (auditors) see that
    photos exist but not the photos (a home, its people): 403."""
    visit = await readable_visit(session, actor, visit_id)
    if not has_scope(actor.role, Scope.personal_reveal):
        raise Forbidden("当前角色不能查看走访照片（含个人敏感信息）", code="photo_reveal_forbidden")
    photo = await repository.get_photo(session, visit.id, photo_id)
    if photo is None:
        raise NotFound("照片不存在", code="photo_not_found")
    await audit.record(
        session, actor, "visit_photo.view", "visit", visit_id, {"photo_id": photo_id}
    )
    return photo
