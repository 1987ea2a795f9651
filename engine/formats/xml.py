"""XML (coverage reports, JUnit results): one document in xmltodict's shape.

`<coverage line-rate="0.9"><packages/></coverage>` becomes
`{"coverage": {"@line-rate": "0.9", "packages": null}}`: attributes are
`@name` keys, text is `#text`, and repeated elements become lists. Entity
declarations are refused, so an entity-expansion bomb cannot grow.
"""

from __future__ import annotations

from xml.parsers.expat import ExpatError

from engine.formats import ParseError
from engine.model.documents import Document


def parse(text: str) -> list[Document]:
    import xmltodict

    try:
        data = xmltodict.parse(text, disable_entities=True)
    except ExpatError as exc:
        raise ParseError(str(exc).split(":")[0], exc.lineno, exc.offset + 1) from None
    except ValueError as exc:  # xmltodict refuses entity declarations this way
        raise ParseError(str(exc)) from None
    return [Document(1, 1, data)]
