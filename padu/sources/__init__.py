"""One adapter per source system; each owns its pool, its SQL and its row-to-record mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from padu.config import SOURCE_NAMES, Config
from padu.sources.application import ApplicationSource, application_source
from padu.sources.base import Source
from padu.sources.learning import LearningSource
from padu.sources.performance import PerformanceSource
from padu.sources.population import PopulationSource
from padu.sources.service_requests import ServiceRequestsSource
from padu.sources.state import StateSource


@dataclass(frozen=True)
class Sources:
    """The four core systems, every declared application's source, and Padu's ``state``."""

    population: PopulationSource
    service_requests: ServiceRequestsSource
    performance: PerformanceSource
    learning: LearningSource
    state: StateSource
    applications: Mapping[str, ApplicationSource] = field(default_factory=dict)

    def named(self, name: str) -> Source:
        """The source called ``name`` (as in configuration, health and traces)."""
        source = self.applications.get(name) or getattr(self, name, None)
        if not isinstance(source, Source):
            raise KeyError(f"no source named `{name}`")
        return source

    def __iter__(self) -> Iterator[Source]:
        core = (self.population, self.service_requests, self.performance, self.learning)
        return iter((*core, *self.applications.values(), self.state))

    @classmethod
    def create(cls, config: Config, dsns: Mapping[str, str]) -> Sources:
        """Adapters for each configured source and ``state`` (``dsns`` names them all), not yet
        started: the core systems' own, a plain plug-in for every other."""
        configs = config.sources
        applications = {
            name: application_source(source, dsns[name])
            for name, source in configs.items()
            if name not in SOURCE_NAMES
        }
        return cls(
            population=PopulationSource(configs["population"], dsns["population"]),
            service_requests=ServiceRequestsSource(
                configs["service_requests"], dsns["service_requests"]
            ),
            performance=PerformanceSource(configs["performance"], dsns["performance"]),
            learning=LearningSource(configs["learning"], dsns["learning"]),
            state=StateSource(config.state, dsns["state"]),
            applications=applications,
        )

    async def start(self) -> None:
        for source in self:
            await source.start()

    async def stop(self) -> None:
        for source in self:
            await source.stop()
