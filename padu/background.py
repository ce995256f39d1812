"""A long-running task of the process, started and cancelled with the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar


class Background:
    """Runs ``_run`` as one named task from ``start`` until ``stop`` cancels it."""

    task_name: ClassVar[str]
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
