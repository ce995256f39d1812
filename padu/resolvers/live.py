"""The change feed as subscription resolvers see it: changes in the caller's scope, fresh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from padu.access.extension import require_subscription
from padu.errors import PaduError, SourceUnavailable
from padu.loaders import Loaders
from padu.resolvers.info import Info
from padu.sources.service_request_changes import GAP, FellBehind, RequestChange

FEED_WAIT_SECONDS = 5.0


class SubscriptionFellBehind(PaduError):
    """The client read its events too slowly; the subscription ended."""

    code = "SUBSCRIPTION_FELL_BEHIND"


async def changes(
    info: Info, refresh: float | None = None, initial: bool = False
) -> AsyncIterator[RequestChange | None]:
    """Every change in the caller's request scope, as it happens.

    Yields None when the feed may have missed changes (it reconnected) and, with
    ``refresh``, after that many quiet seconds: the moments to count again. With
    ``initial`` it yields None at once, after subscribing (so a count taken then misses no
    change). Before each change the loaders are renewed, so reads are current.
    """
    require_subscription(info.context, info._raw_info)
    context = info.context
    feed = context.changes
    if not await feed.ready(FEED_WAIT_SECONDS):
        raise SourceUnavailable("service_requests", "is not sending live changes right now")
    scope = await context.scopes.requests()
    async with feed.subscribe() as queue:
        if initial:
            yield None
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), refresh)
            except TimeoutError:
                yield None
                continue
            if isinstance(item, FellBehind):
                raise SubscriptionFellBehind(
                    "Events arrived faster than this subscription read them, so it ended; "
                    "subscribe again (and read the current state with a query)."
                )
            if item is GAP:
                yield None
            elif isinstance(item, RequestChange) and scope.admits(
                item.requester_nik, item.assignee_nip
            ):
                context.loaders = Loaders(context.sources, context.scopes)
                yield item
