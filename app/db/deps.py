"""The request session as a typed dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import get_session

# scope="function": the commit runs before the response is sent, so a 201 is never followed
# by a failed commit.
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
