"""What the spec's declarations imply: the categories whose decision has no time limit."""

from __future__ import annotations

from app.procedures.spec import NO_TIME_LIMIT, OVERALL_LIMIT, STEPS


def test_a_category_without_any_limit_is_derived_from_its_steps() -> None:
    # Temporary aid: no overall limit and no clock on its decision. Rigid spending has no clock
    # on its decision but an overall limit; dibao and tekun clock their decision.
    assert sorted(NO_TIME_LIMIT) == ["temporary_aid"]
    for category in NO_TIME_LIMIT:
        assert category not in OVERALL_LIMIT
        assert all(s.clock is None for s in STEPS[category] if s.decision)
