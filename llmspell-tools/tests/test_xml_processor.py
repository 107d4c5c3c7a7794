"""xml-processor: parse, XPath, validate, to_json, and the XML attacks it refuses."""

from __future__ import annotations

import pytest

from llmspell.errors import SecurityError, ValidationError

XML = """<?xml version="1.0"?>
<library xmlns:x="urn:x">
  <book id="1" lang="en"><title>Dune</title><year>1965</year></book>
  <book id="2" lang="fr"><title>Vendredi</title><year>1967</year></book>
  <!-- a comment -->
</library>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""

XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="n" type="xs:integer"/>
</xs:schema>"""


def test_parse(tools):
    r = tools.ok("xml-processor", input=XML)["result"]
    assert r["root"] == "library" and r["element_count"] == 7 and r["children"] == ["book"]


def test_query(tools):
    r = tools.ok("xml-processor", operation="query", input=XML, xpath="//book[@lang='en']/title")
    assert r["result"]["count"] == 1 and r["result"]["matches"][0]["text"] == "Dune"
    assert r["text"] == "Dune"
    r = tools.ok("xml-processor", operation="query", input=XML, xpath="//book/@id")
    assert r["result"]["matches"] == ["1", "2"]
    r = tools.ok("xml-processor", operation="query", input=XML, xpath="count(//book)")
    assert r["result"]["matches"] == [2.0]
    assert (
        "invalid XPath"
        in tools.failed("xml-processor", operation="query", input=XML, xpath="//[")["error"]
    )
    assert "xpath" in tools.failed("xml-processor", operation="query", input=XML)["error"]


def test_validate(tools):
    assert tools.ok("xml-processor", operation="validate", input=XML)["result"]["valid"]
    r = tools.ok("xml-processor", operation="validate", input="<a><b></a>")
    assert r["result"] == {"valid": False, "well_formed": False, "errors": r["result"]["errors"]}
    ok = tools.ok("xml-processor", operation="validate", input="<n>5</n>", schema=XSD)
    assert ok["result"]["valid"] is True
    bad = tools.ok("xml-processor", operation="validate", input="<n>five</n>", schema=XSD)
    assert bad["result"]["valid"] is False and bad["result"]["errors"]


def test_to_json(tools):
    r = tools.ok("xml-processor", operation="to_json", input=XML)["result"]["result"]
    books = r["library"]["book"]
    assert books[0] == {"@id": "1", "@lang": "en", "title": "Dune", "year": "1965"}


def test_malformed_fails(tools):
    r = tools.failed("xml-processor", input="<a><b></a>")
    assert "not well-formed" in r["error"]


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("operation", ["parse", "query", "validate", "to_json"])
def test_attacks_are_refused(tools, document, operation):
    with pytest.raises(SecurityError, match="refused"):
        tools("xml-processor", operation=operation, input=document, xpath="//*")


def test_external_schema_includes_are_refused(tools):
    xsd = XSD.replace("<xs:element", '<xs:include schemaLocation="/etc/x.xsd"/><xs:element')
    with pytest.raises(SecurityError, match="include"):
        tools("xml-processor", operation="validate", input="<n>1</n>", schema=xsd)


def test_misuse_and_size(tools):
    with pytest.raises(ValidationError, match="parameter 'input'"):
        tools("xml-processor", input={"a": 1})
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("xml-processor", operation="xslt", input=XML)
    r = tools.failed("xml-processor", input="<a>" + "x" * 10_000_001 + "</a>")
    assert "over the limit" in r["error"]


# -- bounded XPath (issue 11) -------------------------------------------------------------


def test_nested_document_wide_xpath_is_refused_promptly(tools):
    import time

    doc = "<r>" + "<a><b>x</b></a>" * 5_000 + "</r>"
    start = time.monotonic()
    r = tools.failed("xml-processor", operation="query", input=doc,
                     xpath="count(//*[count(//*[count(//*) > 0]) > 0])")  # fmt: skip
    assert r["error_kind"] == "LimitExceeded"
    assert "[tools.xml-processor] max_xpath_work" in r["error"]
    assert time.monotonic() - start < 10
    # ordinary queries, with predicates and literals containing '/', still work
    r = tools.ok("xml-processor", operation="query", input=doc, xpath="count(//a[b='x'])")
    assert r["result"]["matches"] == [5000.0]
    r = tools.ok("xml-processor", operation="query", input=doc,
                 xpath="//a[b='x/y' or b='//'][1]/b")  # fmt: skip
    assert r["result"]["count"] == 0
    r = tools.ok("xml-processor", operation="query", input=doc, xpath="(//b)[3]")
    assert r["result"]["count"] == 1


def test_xpath_with_one_wide_predicate_on_small_docs_works(tools):
    doc = "<r><a id='1'/><a id='2'/><b ref='2'/></r>"
    r = tools.ok("xml-processor", operation="query", input=doc, xpath="//a[@id = //b/@ref]/@id")
    assert r["result"]["matches"] == ["2"]
