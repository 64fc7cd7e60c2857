"""Helpers for command-line commands: run async work with a clean engine, fail with a message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer

T = TypeVar("T")


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on a new event loop and dispose of the engine afterwards."""

    async def _wrapped() -> T:
        from app.db.session import dispose_engine

        try:
            return await work()
        finally:
            await dispose_engine()

    return asyncio.run(_wrapped())


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)
