"""The resolver ``info`` type, bound to Padu's context."""

from __future__ import annotations

import strawberry

from padu.context import Context

Info = strawberry.Info[Context, None]
