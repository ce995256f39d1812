"""The response size cap: an answer over ``[limits] max_response_bytes`` is never sent.

The query cost bounds how many values an answer holds; this bounds its bytes too (long texts,
lists larger than assumed). The encoded body is measured where it is produced
(``PaduGraphQL.encode_json``) and, when too large, replaced by a ``RESPONSE_TOO_LARGE`` error,
one per operation of a batch, so the client learns to ask for less.
"""

from __future__ import annotations

from typing import Any

import orjson

RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"


def too_large(size: int, maximum: int) -> dict[str, Any]:
    """The answer sent instead of one of ``size`` bytes."""
    message = (
        f"The answer is {size} bytes, more than the limit of {maximum}, so it was not sent; "
        "ask for less: smaller pages (`first`), fewer fields or lists, or split the query."
    )
    extensions = {"code": RESPONSE_TOO_LARGE, "max": maximum, "actual": size}
    return {"data": None, "errors": [{"message": message, "extensions": extensions}]}


def capped_json(data: object, maximum: int) -> bytes:
    """``data`` as JSON, or the RESPONSE_TOO_LARGE answer when that passes ``maximum`` bytes."""
    body = orjson.dumps(data)
    if len(body) <= maximum:
        return body
    size = len(body)
    del body  # the large body goes before its replacement is built
    if isinstance(data, list):  # a batch: each operation learns why
        return orjson.dumps([too_large(size, maximum)] * len(data))
    return orjson.dumps(too_large(size, maximum))
