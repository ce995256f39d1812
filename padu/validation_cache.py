"""``CachedValidation``: the GraphQL spec's validation runs once per query text, not per request.

Validation was over half of a small query's time (8 of 15 ms for a lookup by NIK). The
spec's rules depend only on the schema and the document, so their result is kept per schema
and query text (one process may serve schemas of different configurations). Rules that
depend on the request, the query limits (their cost depends on variables), run on every
request, on the same document.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ASTValidationRule, DocumentNode, GraphQLError, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from padu.lru import Lru

MAX_ENTRIES = 512


_CACHE: Lru[tuple[object, str, tuple[type[ASTValidationRule], ...]], list[GraphQLError]] = Lru(
    MAX_ENTRIES
)


# Documents whose spec validation found nothing, per schema and text: ``padu.prepared``
# answers later requests for them without the general request path.
_VALID: Lru[tuple[object, str], DocumentNode] = Lru(MAX_ENTRIES)


def valid_document(schema: object, text: str) -> DocumentNode | None:
    """The parsed ``text``, if it passed the spec's validation on ``schema`` before."""
    try:
        return _VALID.recall((schema, text))
    except KeyError:
        return None


def per_request(rule: type[ASTValidationRule]) -> bool:
    """Rules made for one request (by padu.limits) cannot be cached."""
    return rule.__module__ == "padu.limits"


class CachedValidation(SchemaExtension):
    """Validates with the spec's rules once per query text, and the per-request rules always."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.query is not None:
            fixed = tuple(r for r in context.validation_rules if not per_request(r))
            dynamic = [r for r in context.validation_rules if per_request(r)]
            key = (context.schema, context.query, fixed)
            try:
                errors = _CACHE.recall(key)
            except KeyError:
                errors = validate_document(context.schema._schema, document, fixed)
                _CACHE.remember(key, errors)
            if not errors:
                _VALID.remember((context.schema, context.query), document)
            if dynamic:
                errors = [*errors, *validate(context.schema._schema, document, dynamic)]
            context.pre_execution_errors = list(errors)
        yield
