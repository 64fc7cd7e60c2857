"""The personal fields sealed under the data key, gathered from each domain that holds some
(its repository's ``SEALED_COLUMNS``), for ``rotate-data-key``. A domain that seals a new
column adds it to its own list; a test checks that every ``*_enc`` column is listed."""

from __future__ import annotations

from app.accounts import repository as accounts
from app.assistance import repository as assistance
from app.households import repository as households
from app.intake import repository as intake
from app.kit import idempotency
from app.kit.rotation import EncryptedField
from app.monitoring import sealed as monitoring
from app.notifications import sealed as notifications
from app.procedures import repository as procedures
from app.visits import repository as visits

DOMAINS = (
    accounts,
    intake,
    households,
    visits,
    monitoring,
    notifications,
    idempotency,
    assistance,
    procedures,
)


def sealed_columns() -> list[EncryptedField]:
    """Every domain's sealed columns."""
    return [field for domain in DOMAINS for field in domain.SEALED_COLUMNS]
