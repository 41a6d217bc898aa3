"""A JSON response rendered with orjson: datetimes as ISO 8601 UTC, numpy scalars, no slow encoder."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=OPTIONS)
