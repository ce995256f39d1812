"""Fixtures of the source tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from padu.sources.base import Source


@pytest_asyncio.fixture
async def started() -> AsyncIterator[list[Source]]:
    """Sources a test starts (it appends them), stopped after it."""
    sources: list[Source] = []
    yield sources
    for source in sources:
        await source.stop()
