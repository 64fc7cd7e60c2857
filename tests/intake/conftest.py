from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: these tests log many staff in and test no hash strength."""
    from argon2 import PasswordHasher

    from app.accounts import security

    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
