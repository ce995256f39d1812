"""The root Subscription type: live updates over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from padu.resolvers import dashboard, service_requests
from padu.schema.dashboard import ServiceLevels
from padu.schema.service_requests import ServiceRequestChange


@strawberry.type(description="Live updates, as they happen in the source systems.")
class Subscription:
    service_request_changed: AsyncGenerator[ServiceRequestChange, None] = strawberry.subscription(
        resolver=service_requests.service_request_changed,
        description="Requests created, assigned or changing status, among those the "
        "caller may see.",
    )
    dashboard_counters: AsyncGenerator[ServiceLevels, None] = strawberry.subscription(
        resolver=dashboard.dashboard_counters,
        description="The dashboard's headline service levels: now, then each time they change "
        "(dashboard, supervisor, admin).",
        # Each event is the whole current state: one joining a shared stream late is sent
        # the latest at once (padu.subscription_share).
        metadata={"current_state": True},
    )
