"""What every resolver can reach for one request."""

from __future__ import annotations

from dataclasses import dataclass, field

from padu.config import Config
from padu.loaders import Loaders
from padu.sources import Sources
from padu.sources.trace import SourceTrace


@dataclass
class Context:
    """Per-request context: configuration, sources, fresh loaders and the round-trip trace."""

    config: Config
    sources: Sources
    loaders: Loaders
    request_id: str
    trace: SourceTrace = field(default_factory=SourceTrace)
