"""citation-formatter: format BibTeX or YAML references in APA, MLA or Chicago style,
and check a bibliography for missing fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output

STYLES = {
    "apa": "APA 7th edition (author-date): Doe, J., & Roe, J. Q. (2020). Title. "
    "Journal, 1(2), 3-4.",
    "mla": 'MLA 9th edition: Doe, John, and Jane Q. Roe. "Title." Journal, vol. 1, no. 2, '
    "2020, pp. 3-4.",
    "chicago": "Chicago 17th edition, notes-bibliography: Doe, John, and Jane Q. Roe. "
    '"Title." Journal 1, no. 2 (2020): 3-4.',
}
#: fields each entry type needs (BibTeX conventions); "author|editor" = either one
REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
    "online": ("title", "url"),
    "misc": ("title",),
}
MAX_INPUT = 2_000_000

Person = tuple[str, str]  # (family, given)
# linear-time forms: a whitespace run is tried only from its start (``\s+and\s+`` and a
# multiline ``^\s*`` retried every position of a long run: quadratic on 2 MB of spaces)
_AUTHOR_SEP = re.compile(r"(?<!\s)\s+and\s+")
_BIBTEX_ENTRY = re.compile(r"^[^\S\n]*@\w+\s*[{(]", re.MULTILINE)


# -- parsing ------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    """A field as plain text: BibTeX braces and escapes removed, whitespace collapsed."""
    text = str(value)
    text = re.sub(r"\\[`'^\"~=.](\{?)(\w)\}?", r"\2", text)  # \'{e} → e (accents dropped)
    text = text.replace("\\&", "&").replace("--", "\u2013").replace("~", " ")
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _people(value: Any) -> list[Person]:
    """Authors from 'Doe, John and Jane Roe', a list of names, or a list of
    {family, given} / {last, first} mappings."""
    if value is None or value == "":
        return []
    items: list[Any] = value if isinstance(value, list) else _AUTHOR_SEP.split(str(value).strip())
    people: list[Person] = []
    for item in items:
        if isinstance(item, dict):
            family = item.get("family") or item.get("last") or item.get("literal") or ""
            given = item.get("given") or item.get("first") or ""
            people.append((_clean(family), _clean(given)))
            continue
        name = _clean(item)
        if not name:
            continue
        if "," in name:
            family, _, given = name.partition(",")
            people.append((family.strip(), given.strip()))
        elif str(item).strip().startswith("{") and str(item).strip().endswith("}"):
            people.append((name, ""))  # {World Health Organization}: a corporate author
        else:
            parts = name.split()
            # keep particles with the family name: Ludwig van Beethoven → van Beethoven
            idx = len(parts) - 1
            while idx > 0 and parts[idx - 1][:1].islower():
                idx -= 1
            people.append((" ".join(parts[idx:]), " ".join(parts[:idx])))
    return people


def _normalize(raw: dict[str, Any], index: int) -> dict[str, Any]:
    """One entry with lower-case keys and CSL-style aliases mapped to BibTeX names."""
    entry = {str(k).lower().replace("-", "_"): v for k, v in raw.items() if v is not None}
    aliases = {"entrytype": "type", "id": "key", "container_title": "journal",
               "issue": "number", "page": "pages", "publisher_place": "address"}  # fmt: skip
    for old, new in aliases.items():
        if old in entry and new not in entry:
            entry[new] = entry.pop(old)
    if "issued" in entry and "year" not in entry:
        issued = entry["issued"]
        if isinstance(issued, dict) and issued.get("date_parts"):
            entry["year"] = issued["date_parts"][0][0]
        else:
            entry["year"] = str(issued)[:4]
    entry["type"] = str(entry.get("type", "misc")).lower().replace("article-journal", "article")
    entry.setdefault("key", f"ref{index + 1}")
    return entry


def _load(params: dict[str, Any]) -> list[dict[str, Any]]:
    text = params.get("input")
    if not text or not text.strip():
        fail("'input' (a BibTeX or YAML bibliography) is required", kind="ValidationError")
    if len(text) > MAX_INPUT:
        fail(f"input is longer than {MAX_INPUT} characters", kind="LimitExceeded")
    fmt = params.get("input_format") or params.get("format") or "auto"  # format: rs-llmspell
    if fmt == "auto":
        fmt = "bibtex" if _BIBTEX_ENTRY.search(text) else "yaml"
    if fmt == "bibtex":
        import bibtexparser
        from bibtexparser.bparser import BibTexParser

        parser = BibTexParser(common_strings=True)
        parser.ignore_nonstandard_types = False
        try:
            raw_entries = bibtexparser.loads(text, parser).entries
        except Exception as exc:  # pyparsing errors on broken input
            fail(f"cannot parse the BibTeX input: {exc}")
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            fail(f"cannot parse the YAML input: {exc}")
        if isinstance(data, dict):
            data = data.get("references") or data.get("entries") or [data]
        if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
            fail("YAML input must be a list of references (mappings) or {references: [...]}")
        raw_entries = data
    if not raw_entries:
        fail(f"no references found in the {fmt} input")
    return [_normalize(e, i) for i, e in enumerate(raw_entries)]


# -- styles -------------------------------------------------------------------------------


def _f(entry: dict[str, Any], key: str) -> str:
    return _clean(entry[key]) if entry.get(key) not in (None, "") else ""


def _initials(given: str) -> str:
    parts = re.split(r"([\s-]+)", given.strip())
    out = []
    for part in parts:
        if not part.strip():
            continue
        if part.strip() == "-":
            out.append("-")
        else:
            out.append(part[0].upper() + ".")
    return " ".join(out).replace(" - ", "-").replace(" -", "-")


def _sentence(text: str) -> str:
    return text if not text or text[-1] in ".?!" else text + "."


def _pages(entry: dict[str, Any]) -> str:
    return _f(entry, "pages").replace("-", "\u2013")


def _link(entry: dict[str, Any]) -> str:
    doi = _f(entry, "doi")
    if doi:
        return doi if doi.startswith("http") else f"https://doi.org/{doi}"
    return _f(entry, "url")


def _apa(entry: dict[str, Any]) -> str:
    people = _people(entry.get("author")) or _people(entry.get("editor"))
    names = [f"{fam}, {_initials(giv)}" if giv else fam for fam, giv in people]
    if len(names) > 20:
        names = [*names[:19], "...", names[-1]]
        authors = ", ".join(names)
    elif len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else ""
    if not entry.get("author") and entry.get("editor"):
        authors += " (Ed.)" if len(people) == 1 else " (Eds.)"
    year = _f(entry, "year") or "n.d."
    title = _f(entry, "title")
    parts = [f"{_sentence(authors)} ({year})." if authors else f"{_sentence(title)} ({year})."]
    if authors:
        parts.append(_sentence(title))
    kind = entry["type"]
    if kind == "article":
        source = _f(entry, "journal")
        if _f(entry, "volume"):
            source += f", {_f(entry, 'volume')}"
            if _f(entry, "number"):
                source += f"({_f(entry, 'number')})"
        if _pages(entry):
            source += f", {_pages(entry)}"
        if source:
            parts.append(_sentence(source))
    elif kind in ("inproceedings", "incollection", "conference", "inbook"):
        book = _f(entry, "booktitle")
        if book:
            pages = f" (pp. {_pages(entry)})" if _pages(entry) else ""
            parts.append(f"In {book}{pages}.")
        if _f(entry, "publisher"):
            parts.append(_sentence(_f(entry, "publisher")))
    elif kind in ("phdthesis", "mastersthesis"):
        label = "Doctoral dissertation" if kind == "phdthesis" else "Master's thesis"
        parts[-1] = parts[-1].rstrip(".") + f" [{label}, {_f(entry, 'school')}]."
    elif kind == "techreport":
        if _f(entry, "number"):
            parts[-1] = parts[-1].rstrip(".") + f" (Report No. {_f(entry, 'number')})."
        if _f(entry, "institution"):
            parts.append(_sentence(_f(entry, "institution")))
    elif _f(entry, "publisher"):
        parts.append(_sentence(_f(entry, "publisher")))
    if _link(entry):
        parts.append(_link(entry))
    return " ".join(parts)


def _full_names(people: list[Person], limit: int) -> str:
    """MLA/Chicago: first person inverted (Doe, John), others natural (Jane Roe)."""
    if not people:
        return ""
    first = f"{people[0][0]}, {people[0][1]}" if people[0][1] else people[0][0]
    if len(people) == 1:
        return first
    if len(people) > limit:
        return f"{first}, et al"
    rest = [f"{giv} {fam}".strip() for fam, giv in people[1:]]
    if len(people) == 2:
        return f"{first}, and {rest[0]}"
    return f"{first}, " + ", ".join(rest[:-1]) + f", and {rest[-1]}"


def _mla(entry: dict[str, Any]) -> str:
    authors = _full_names(_people(entry.get("author")) or _people(entry.get("editor")), 2)
    title = _f(entry, "title")
    kind = entry["type"]
    container = _f(entry, "journal") or _f(entry, "booktitle")
    parts = [_sentence(authors)] if authors else []
    parts.append(f"\u201c{_sentence(title)}\u201d" if container else _sentence(title))
    details: list[str] = []
    if container:
        details.append(container)
    if _f(entry, "volume"):
        details.append(f"vol. {_f(entry, 'volume')}")
    if _f(entry, "number") and kind == "article":
        details.append(f"no. {_f(entry, 'number')}")
    publisher = _f(entry, "publisher") or _f(entry, "school") or _f(entry, "institution")
    if publisher and kind != "article":
        details.append(publisher)
    if _f(entry, "year"):
        details.append(_f(entry, "year"))
    if _pages(entry):
        details.append(f"pp. {_pages(entry)}")
    link = _link(entry)
    if link:
        details.append(link.removeprefix("https://").removeprefix("http://"))
    if details:
        parts.append(_sentence(", ".join(details)))
    return " ".join(parts)


def _chicago(entry: dict[str, Any]) -> str:
    authors = _full_names(_people(entry.get("author")) or _people(entry.get("editor")), 10)
    title = _f(entry, "title")
    kind = entry["type"]
    year = _f(entry, "year") or "n.d."
    parts = [_sentence(authors)] if authors else []
    if kind == "article":
        parts.append(f"\u201c{_sentence(title)}\u201d")
        source = _f(entry, "journal")
        if _f(entry, "volume"):
            source += f" {_f(entry, 'volume')}"
        if _f(entry, "number"):
            source += f", no. {_f(entry, 'number')}"
        source += f" ({year})"
        if _pages(entry):
            source += f": {_pages(entry)}"
        parts.append(_sentence(source.strip()))
    elif kind in ("inproceedings", "incollection", "conference", "inbook"):
        parts.append(f"\u201c{_sentence(title)}\u201d")
        book = f"In {_f(entry, 'booktitle')}" if _f(entry, "booktitle") else ""
        if _pages(entry):
            book += f", {_pages(entry)}"
        if book:
            parts.append(_sentence(book))
        pub = ", ".join(x for x in (_f(entry, "publisher"), year) if x)
        parts.append(_sentence(pub))
    else:
        parts.append(_sentence(title))
        if kind in ("phdthesis", "mastersthesis"):
            label = "PhD diss." if kind == "phdthesis" else "Master's thesis"
            parts.append(_sentence(", ".join(x for x in (label, _f(entry, "school"), year) if x)))
        else:
            place = _f(entry, "address")
            pub = _f(entry, "publisher") or _f(entry, "institution")
            where = f"{place}: {pub}" if place and pub else pub or place
            parts.append(_sentence(", ".join(x for x in (where, year) if x)))
    if _link(entry):
        parts.append(_sentence(_link(entry)))
    return " ".join(parts)


_FORMATTERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "apa": _apa,
    "mla": _mla,
    "chicago": _chicago,
}


def _sort_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    people = _people(entry.get("author")) or _people(entry.get("editor"))
    first = people[0][0].lower() if people else _f(entry, "title").lower()
    return first, _f(entry, "year"), _f(entry, "title").lower()


# -- operations ---------------------------------------------------------------------------


def _format(params: dict[str, Any]) -> Any:
    style = params.get("style", "apa")
    entries = sorted(_load(params), key=_sort_key)
    wanted = params.get("cite_keys")
    if wanted is not None:  # rs-llmspell's cite_keys: only these entries
        missing = [k for k in wanted if k not in {str(e["key"]) for e in entries}]
        if missing:
            fail(f"cite_keys not in the bibliography: {', '.join(missing)}", kind="ValidationError")
        entries = [e for e in entries if str(e["key"]) in wanted]
    formatter = _FORMATTERS[style]
    citations = [{"key": str(e["key"]), "type": e["type"], "citation": formatter(e)}
                 for e in entries]  # fmt: skip
    bibliography = "\n".join(c["citation"] for c in citations)
    return output(
        {"style": style, "count": len(citations), "citations": citations,
         "bibliography": bibliography},
        text=bibliography,
    )  # fmt: skip


def _validate(params: dict[str, Any]) -> Any:
    entries = _load(params)
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for entry in entries:
        key = str(entry["key"])
        seen[key] = seen.get(key, 0) + 1
        needed = REQUIRED.get(entry["type"], REQUIRED["misc"])
        missing = [
            field for field in needed
            if not any(entry.get(alt) not in (None, "") for alt in field.split("|"))
        ]  # fmt: skip
        warnings: list[str] = []
        if entry["type"] not in REQUIRED:
            warnings.append(f"unknown entry type {entry['type']!r} (checked as misc)")
        year = _f(entry, "year")
        if year and not re.fullmatch(r"\d{4}[a-z]?", year):
            warnings.append(f"year {year!r} is not a four-digit year")
        if missing or warnings:
            issues.append({"key": key, "type": entry["type"], "missing": missing,
                           "warnings": warnings})  # fmt: skip
    duplicates = sorted(k for k, n in seen.items() if n > 1)
    valid = not any(i["missing"] for i in issues) and not duplicates
    summary = (
        f"{len(entries)} entries, "
        + ("all complete" if valid else f"{sum(bool(i['missing']) for i in issues)} incomplete")
        + (f", duplicate keys: {', '.join(duplicates)}" if duplicates else "")
    )
    return output(
        {"valid": valid, "entries": len(entries), "issues": issues, "duplicates": duplicates,
         "summary": summary},
        text=summary,
    )  # fmt: skip


def _list_styles(params: dict[str, Any]) -> Any:
    styles = [{"name": name, "description": text} for name, text in STYLES.items()]
    return output({"styles": styles}, text=", ".join(STYLES))


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Format, validate or list styles."""
    ops = {
        "format_citation": _format,
        "validate_bibliography": _validate,
        "list_styles": _list_styles,
    }
    return dispatch(params, ops, params, default="format_citation")


TOOL = Tool(
    name="citation-formatter",
    description="Format references given as BibTeX (@article{...}) or YAML (a list of "
    "{type, key, author, title, year, journal, ...}) in APA, MLA or Chicago style "
    "(format_citation → result.citations and result.bibliography as plain text), check a "
    "bibliography for missing required fields and duplicate keys (validate_bibliography), "
    "or list the styles (list_styles).",
    category="utility",
    handler=run,
    timeout_seconds=30,
    tags=("citation", "bibliography", "bibtex"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["format_citation", "validate_bibliography", "list_styles"],
                "default": "format_citation",
            },
            "input": {"type": "string", "description": "the bibliography (BibTeX or YAML)"},
            "input_format": {
                "type": "string",
                "enum": ["auto", "bibtex", "yaml"],
                "default": "auto",
            },
            "format": {
                "type": "string",
                "enum": ["auto", "bibtex", "yaml"],
                "description": "rs-llmspell's name of input_format",
            },
            "cite_keys": {
                "type": "array",
                "items": {"type": "string"},
                "description": "format only the entries with these keys",
            },
            "style": {"type": "string", "enum": list(STYLES), "default": "apa"},
        },
        "additionalProperties": False,
    },
)
