"""Hardened XML parsing for callback bodies, which come from the open internet before any check
of their content is possible.

defusedxml refuses every DOCTYPE (so no entities, billion laughs or XXE); on top of that we cap
the nesting depth and the element count while parsing, so a 64 KiB body of ``<a><a><a>…`` costs
microseconds, not a deep tree. Callbacks are flat (``<xml>`` with leaf children, a few nested
blocks such as ``PublishEventInfo``), so the limits are far above anything genuine.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from channels.callback_errors import bad_request

MAX_DEPTH = 8
MAX_ELEMENTS = 512
# characters XML 1.0 cannot carry at all, even inside CDATA
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _LimitExceeded(Exception):
    pass


class _BoundedBuilder:
    """A TreeBuilder that stops the parse as soon as the document gets too deep or too big."""

    __slots__ = ("_builder", "_count", "_depth", "_max_depth", "_max_elements")

    def __init__(self, max_depth: int, max_elements: int) -> None:
        self._builder = TreeBuilder()
        self._depth = 0
        self._count = 0
        self._max_depth = max_depth
        self._max_elements = max_elements

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._count += 1
        if self._depth > self._max_depth or self._count > self._max_elements:
            raise _LimitExceeded
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


def parse_xml(
    body: bytes | str,
    *,
    root: str = "xml",
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
) -> Element:
    """The root element of ``body``; ``CallbackError('bad_request')`` for anything hostile."""
    builder = _BoundedBuilder(max_depth, max_elements)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    try:
        parser.feed(body)
        element: Element = parser.close()
    except _LimitExceeded as exc:
        raise bad_request("XML too deep or too many elements") from exc
    except DefusedXmlException as exc:
        raise bad_request(f"XML refused: {type(exc).__name__}") from exc
    except (ParseError, ValueError, UnicodeError) as exc:
        raise bad_request("XML not well-formed") from exc
    if element.tag != root:
        raise bad_request(f"XML root is not <{root}>")
    return element


def leaf_fields(element: Element) -> dict[str, str]:
    """The text of the direct children that have no children: WeChat's flat message fields."""
    return {child.tag: child.text or "" for child in element if len(child) == 0}


def parse_fields(body: bytes | str) -> tuple[Element, dict[str, str]]:
    """Parse a callback body and return the tree plus its flat fields."""
    element = parse_xml(body)
    return element, leaf_fields(element)


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (they would make WeChat drop the reply)."""
    return _NOT_XML_CHAR.sub("", text)
