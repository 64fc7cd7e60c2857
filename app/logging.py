"""Structured logs (structlog). Never log ID numbers, phones or names."""

from __future__ import annotations

import logging

import structlog

# Libraries whose INFO/DEBUG lines carry secrets or personal data: httpx logs every URL it
# fetches (WeChat's jscode2session URL holds the app secret and the login code), the database
# drivers log statements with their parameters.
QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "asyncpg")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        cache_logger_on_first_use=True,
    )
