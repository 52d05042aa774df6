"""Hardened XML parsing for callback bodies, which come from the open internet and must be
parsed before their content can be trusted (the WeCom signature even covers a field inside).

Every DOCTYPE is refused outright — so no entity declarations, no billion laughs, no XXE, no
external DTD — using the same expat hooks defusedxml installs, but wired straight to expat and
the C ``TreeBuilder``: about twice as fast as defusedxml's pure-Python parser, which matters at
thousands of callbacks a second. On top, nesting depth and element count are capped *while*
parsing, so a 64 KiB ``<a><a><a>…`` costs microseconds. Genuine callbacks are flat (``<xml>``
with leaf children and a few blocks such as ``PublishEventInfo``), far below the limits.
"""

from __future__ import annotations

import re
from typing import NoReturn
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from channels.callback_errors import bad_request

MAX_DEPTH = 8
MAX_ELEMENTS = 512
# characters XML 1.0 cannot carry at all, even inside CDATA
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Refused(Exception):
    """Raised from inside an expat handler; expat aborts the parse and lets it through."""


def _refuse_dtd(*_: object) -> NoReturn:
    raise _Refused("DOCTYPE or entity declaration")


def parse_xml(
    body: bytes | str,
    *,
    root: str = "xml",
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
) -> Element:
    """The root element of ``body``; ``CallbackError('bad_request')`` for anything hostile."""
    parser = expat.ParserCreate()
    builder = TreeBuilder()
    depth = count = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, count
        depth += 1
        count += 1
        if depth > max_depth or count > max_elements:
            raise _Refused("XML too deep or too many elements")
        builder.start(tag, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(tag)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.buffer_text = True
    try:
        parser.Parse(body, True)
        element: Element = builder.close()
    except _Refused as exc:
        raise bad_request(f"XML refused: {exc}") from exc
    except (expat.ExpatError, ValueError, UnicodeError, AssertionError) as exc:
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
