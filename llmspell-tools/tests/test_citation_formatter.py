"""citation-formatter: BibTeX and YAML input, three styles, validation."""

from __future__ import annotations

import pytest

from llmspell.errors import ValidationError

BIB = r"""
@article{doe2020,
  author = {Doe, John and Jane Q. Roe},
  title = {A Study of {Things}},
  journal = {Journal of Stuff},
  year = {2020},
  volume = {12},
  number = {3},
  pages = {45--67},
  doi = {10.1000/xyz}
}
@book{adams1979,
  author = {Douglas Adams},
  title = {The Hitchhiker's Guide},
  publisher = {Pan Books},
  address = {London},
  year = 1979
}
"""

YAML = """
- id: smith2021
  type: inproceedings
  author:
    - {family: Smith, given: Anna Maria}
  title: Fast Things
  booktitle: Proceedings of Speed
  pages: 1-10
  year: 2021
- id: bad
  type: article
  title: No Author Here
"""


def fmt(tools, style, text=BIB):
    return tools.ok("citation-formatter", input=text, style=style)["result"]


def test_apa(tools):
    r = fmt(tools, "apa")
    assert r["count"] == 2 and r["style"] == "apa"
    adams, doe = (c["citation"] for c in r["citations"])  # sorted by author
    assert doe == (
        "Doe, J., & Roe, J. Q. (2020). A Study of Things. Journal of Stuff, 12(3), "
        "45\u201367. https://doi.org/10.1000/xyz"
    )
    assert adams == "Adams, D. (1979). The Hitchhiker's Guide. Pan Books."
    assert r["bibliography"].splitlines() == [adams, doe]


def test_mla(tools):
    doe = fmt(tools, "mla")["citations"][1]["citation"]
    assert doe == (
        "Doe, John, and Jane Q. Roe. \u201cA Study of Things.\u201d Journal of Stuff, vol. 12, "
        "no. 3, 2020, pp. 45\u201367, doi.org/10.1000/xyz."
    )


def test_chicago(tools):
    r = fmt(tools, "chicago")
    adams, doe = (c["citation"] for c in r["citations"])
    assert doe == (
        "Doe, John, and Jane Q. Roe. \u201cA Study of Things.\u201d Journal of Stuff 12, no. 3 "
        "(2020): 45\u201367. https://doi.org/10.1000/xyz."
    )
    assert adams == "Adams, Douglas. The Hitchhiker's Guide. London: Pan Books, 1979."


def test_yaml_input(tools):
    r = fmt(tools, "apa", YAML)
    smith = next(c for c in r["citations"] if c["key"] == "smith2021")["citation"]
    assert smith == "Smith, A. M. (2021). Fast Things. In Proceedings of Speed (pp. 1\u201310)."
    no_author = next(c for c in r["citations"] if c["key"] == "bad")["citation"]
    assert no_author.startswith("No Author Here. (n.d.).")


def test_validate_bibliography(tools):
    r = tools.ok("citation-formatter", operation="validate_bibliography", input=YAML)["result"]
    assert r["valid"] is False and r["entries"] == 2
    (issue,) = r["issues"]
    assert issue["key"] == "bad" and issue["missing"] == ["author", "journal", "year"]
    ok = tools.ok("citation-formatter", operation="validate_bibliography", input=BIB)
    assert ok["result"]["valid"] is True and ok["result"]["issues"] == []
    dup = BIB + "\n@misc{doe2020, title={Again}}\n"
    r = tools.ok("citation-formatter", operation="validate_bibliography", input=dup)["result"]
    assert r["duplicates"] == ["doe2020"] and r["valid"] is False


def test_list_styles(tools):
    r = tools.ok("citation-formatter", operation="list_styles")
    assert [s["name"] for s in r["result"]["styles"]] == ["apa", "mla", "chicago"]


def test_failures(tools):
    r = tools.failed("citation-formatter", input="@@@ nothing", input_format="bibtex")
    assert "no references" in r["error"]
    assert "cannot parse the YAML" in tools.failed("citation-formatter", input="@@@")["error"]
    assert tools.failed("citation-formatter", input="a: [unclosed")
    assert tools.failed("citation-formatter", input="just a string")
    assert tools.failed("citation-formatter")["error_kind"] == "ValidationError"


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'style'"):
        tools("citation-formatter", input=BIB, style="ieee")
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("citation-formatter", operation="format", input=BIB)


def test_whitespace_runs_do_not_make_parsing_quadratic(tools):
    import time

    start = time.monotonic()
    spaces = " " * 1_000_000
    tools("citation-formatter", input="\n" * 1_000_000 + "title: x\n")
    tools("citation-formatter", input=f"author: 'A{spaces}B and C'\ntitle: T\nyear: 2020\n")
    assert time.monotonic() - start < 20
    entry = "@article{k, author={Doe, John  and  Roe, Jane}, title={T}, year={2020}}"
    r = tools.ok("citation-formatter", input=entry)
    assert "Doe" in r["text"] and "Roe" in r["text"]


def test_rs_llmspell_format_and_cite_keys(tools):
    # rs-llmspell's parameter names: format (= input_format) and cite_keys
    r = tools.ok("citation-formatter", input=BIB, format="bibtex", cite_keys=["adams1979"])
    assert r["result"]["count"] == 1 and r["result"]["citations"][0]["key"] == "adams1979"
    bad = tools.failed("citation-formatter", input=BIB, cite_keys=["nobody"])
    assert bad["error_kind"] == "ValidationError" and "nobody" in bad["error"]
