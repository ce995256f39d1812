"""One adapter per source system; each owns its pool, its SQL and its row-to-record mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from padu.config import SourceConfig
from padu.sources.base import Source
from padu.sources.learning import LearningSource
from padu.sources.performance import PerformanceSource
from padu.sources.population import PopulationSource
from padu.sources.service_requests import ServiceRequestsSource


@dataclass(frozen=True)
class Sources:
    """The four source systems Padu federates."""

    population: PopulationSource
    service_requests: ServiceRequestsSource
    performance: PerformanceSource
    learning: LearningSource

    def __iter__(self) -> Iterator[Source]:
        return iter((self.population, self.service_requests, self.performance, self.learning))

    @classmethod
    def create(cls, configs: Mapping[str, SourceConfig], dsns: Mapping[str, str]) -> Sources:
        """Adapters for each source, not yet started."""
        return cls(
            population=PopulationSource(configs["population"], dsns["population"]),
            service_requests=ServiceRequestsSource(
                configs["service_requests"], dsns["service_requests"]
            ),
            performance=PerformanceSource(configs["performance"], dsns["performance"]),
            learning=LearningSource(configs["learning"], dsns["learning"]),
        )

    async def start(self) -> None:
        for source in self:
            await source.start()

    async def stop(self) -> None:
        for source in self:
            await source.stop()
