"""XML parsing with the standard library, refusing DTDs: no DOCTYPE, no ENTITY, so no entity expansion
("billion laughs") and no external entities. ``defusedxml`` is not a dependency."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from labelwise.formats.base import FormatError

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(blob: bytes | str, where: str) -> ET.Element:
    """The root element of ``blob``; :class:`FormatError` for a DTD or malformed XML."""
    raw = blob.encode() if isinstance(blob, str) else blob
    if _DTD.search(raw):
        raise FormatError(where, "", "DOCTYPE and ENTITY declarations are not allowed")
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        line, col = exc.position
        raise FormatError(where, f"line {line}, column {col}", f"not well-formed XML ({exc})") from None
