"""DataLoaders over Padu's own state: where each subject's effects stand."""

from __future__ import annotations

from collections.abc import Sequence

from padu.loaders.base import ByKeyLoader
from padu.sources.outbox import SyncSummary
from padu.sources.state import StateSource


class SyncBySubjectLoader(ByKeyLoader[str, SyncSummary]):
    """Sync summaries by subject (e.g. serviceRequest:42)."""

    source: StateSource
    source_name = "state"

    async def fetch(self, keys: Sequence[str]) -> Sequence[SyncSummary]:
        return await self.source.outbox.sync_by_subject(keys)

    def key_of(self, item: SyncSummary) -> str:
        return item.subject
