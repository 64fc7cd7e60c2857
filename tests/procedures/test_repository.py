"""Statements of the procedures' repository that no endpoint shows on its own."""

from __future__ import annotations

from datetime import date

from app.db.session import session_scope
from app.procedures import repository
from tests.households.builders import Person, insert_household

GUANGHUA = "510115001001"


async def test_a_member_able_to_work_is_one_still_in_the_household() -> None:
    able = await insert_household(
        GUANGHUA,
        [
            Person("甲", date(1950, 1, 1), work_capacity="none"),
            Person("乙", date(1990, 1, 1), relation="child", work_capacity="full"),
        ],
    )
    unable = await insert_household(
        GUANGHUA,
        [
            Person("丙", date(1950, 1, 1), work_capacity="partial"),
            # Moved out: no longer makes the household's income unstable.
            Person("丁", date(1990, 1, 1), relation="child", work_capacity="full", removed=True),
        ],
    )
    async with session_scope() as session:
        assert await repository.has_member_able_to_work(session, able) is True
        assert await repository.has_member_able_to_work(session, unable) is False
