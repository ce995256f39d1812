"""What every resolver can reach for one request."""

from __future__ import annotations

from dataclasses import dataclass, field

from padu.access.audit import AuditTrail
from padu.access.policy import Viewer
from padu.access.scopes import Scopes
from padu.config import Config
from padu.loaders import Loaders
from padu.sources import Sources
from padu.sources.service_request_changes import ChangeFeed
from padu.sources.trace import SourceTrace
from padu.writes import Writes


@dataclass
class Context:
    """Per-request context: who asks, what they may see, fresh loaders, trace and audit trail."""

    config: Config
    sources: Sources
    loaders: Loaders
    request_id: str
    viewer: Viewer
    scopes: Scopes
    audit: AuditTrail
    writes: Writes
    changes: ChangeFeed  # live service-request changes, for subscriptions
    trace: SourceTrace = field(default_factory=SourceTrace)
    operation_name: str | None = None
    connection_params: dict[str, object] | None = None  # graphql-transport-ws connection_init
    # What a resolver found looking ahead in the query, by field node (padu.resolvers).
    lookahead: dict[int, object] = field(default_factory=dict)
