"""One adapter per source system; each owns its pool, its SQL and its row-to-record mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from padu.config import Config
from padu.sources.base import Source
from padu.sources.learning_writes import LearningWrites
from padu.sources.performance_writes import PerformanceWrites
from padu.sources.population import PopulationSource
from padu.sources.service_request_writes import ServiceRequestWrites
from padu.sources.state import StateSource


@dataclass(frozen=True)
class Sources:
    """The four source systems Padu federates, and Padu's own ``state`` database."""

    population: PopulationSource
    service_requests: ServiceRequestWrites
    performance: PerformanceWrites
    learning: LearningWrites
    state: StateSource

    def named(self, name: str) -> Source:
        """The source called ``name`` (as in configuration, health and traces)."""
        source = getattr(self, name, None)
        if not isinstance(source, Source):
            raise KeyError(f"no source named `{name}`")
        return source

    def __iter__(self) -> Iterator[Source]:
        return iter(
            (self.population, self.service_requests, self.performance, self.learning, self.state)
        )

    @classmethod
    def create(cls, config: Config, dsns: Mapping[str, str]) -> Sources:
        """Adapters for each source (``dsns`` names all five), not yet started."""
        configs = config.sources
        return cls(
            population=PopulationSource(configs["population"], dsns["population"]),
            service_requests=ServiceRequestWrites(
                configs["service_requests"], dsns["service_requests"]
            ),
            performance=PerformanceWrites(configs["performance"], dsns["performance"]),
            learning=LearningWrites(configs["learning"], dsns["learning"]),
            state=StateSource(config.state, dsns["state"]),
        )

    async def start(self) -> None:
        for source in self:
            await source.start()

    async def stop(self) -> None:
        for source in self:
            await source.stop()
