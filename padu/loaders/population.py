"""DataLoaders over the population registry."""

from __future__ import annotations

from collections.abc import Sequence

from padu.loaders.base import ByKeyLoader, ManyByKeyLoader
from padu.sources.population import Family, PopulationSource, Resident


class ResidentByNikLoader(ByKeyLoader[str, Resident]):
    """Residents by NIK."""

    source: PopulationSource
    source_name = "population"

    async def fetch(self, keys: Sequence[str]) -> Sequence[Resident]:
        return await self.source.residents_by_nik(keys, await self.scopes.residents())

    def key_of(self, item: Resident) -> str:
        return item.nik


class ResidentsByFamilyLoader(ManyByKeyLoader[str, Resident]):
    """Members of each family card, head first."""

    source: PopulationSource
    source_name = "population"

    async def fetch(self, keys: Sequence[str]) -> Sequence[tuple[str, Resident]]:
        scope = await self.scopes.residents()
        return [
            (r.family_card_number, r) for r in await self.source.residents_by_family(keys, scope)
        ]


class FamilyByNumberLoader(ByKeyLoader[str, Family]):
    """Family cards by KK number."""

    source: PopulationSource
    source_name = "population"

    async def fetch(self, keys: Sequence[str]) -> Sequence[Family]:
        return await self.source.families_by_number(keys, await self.scopes.residents())

    def key_of(self, item: Family) -> str:
        return item.number
