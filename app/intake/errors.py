"""Intake's errors: a refused step in the life cycle, a case that is not there (or not yours)."""

from __future__ import annotations

from app.errors import AppError, NotFound


class InvalidTransition(AppError):
    status = 409
    code = "invalid_transition"
    message = "当前状态不允许此操作"


def application_not_found() -> NotFound:
    return NotFound("申请不存在", code="application_not_found")
