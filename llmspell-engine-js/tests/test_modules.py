"""``import`` of relative modules inside the allowed paths (llmspell_js.modules): linking,
live namespaces, re-exports, errors at the module's own file:line, and the file policy."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.errors import (
    LLMSpellError,
    NotFoundError,
    ScriptError,
    SecurityError,
    ValidationError,
)
from llmspell.runtime import Limits, Output, Runtime
from llmspell_js.jslex import tokenize


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory, the only allowed path."""
    w = tmp_path / "work"
    w.mkdir()
    monkeypatch.chdir(w)
    return w


@pytest.fixture
def runtime(work: Path) -> Iterator[Runtime]:
    overrides = {("security", "allowed_paths"): ["."], ("security", "max_input_bytes"): 4096}
    rt = Runtime(
        load_settings(
            environ={"LLMSPELL_STATE_BACKEND": "memory"}, use_files=False, overrides=overrides
        )
    )
    yield rt
    rt.close()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(runtime: Runtime, work: Path, main: str, name: str = "main.js") -> tuple[Any, str]:
    spell = _write(work / name, main)
    out = io.StringIO()
    result = runtime.run_sync(
        path=spell,
        chunk_name=name,
        limits=Limits(timeout_seconds=10, memory_mb=128),
        output=Output(stdout=out, stderr=out),
    )
    return result.value, out.getvalue()


def fail(runtime: Runtime, work: Path, main: str, name: str = "main.js") -> LLMSpellError:
    with pytest.raises(LLMSpellError) as info:
        run(runtime, work, main, name)
    return info.value


LIB = """\
import { twice } from "./sub/math.js";
export function helper(x) { return "helper:" + twice(x); }
export const VERSION = "1.0", NAME = "lib";
export let counter = 0;
export function bump() { counter++; }
export default { kind: "default-object" };
"""


def test_imports_named_default_and_namespace(runtime, work):
    _write(work / "lib.js", LIB)
    _write(work / "sub" / "math.js", "export const twice = (x) => x * 2;\n")
    value, _ = run(
        runtime,
        work,
        'import { helper, VERSION as V, bump } from "./lib.js";\n'
        'import lib, * as ns from "./lib.js";\n'
        "bump(); bump();\n"
        "export default [helper(2), V, lib.kind, ns.counter, Object.keys(ns).sort(),\n"
        "  Object.isFrozen(ns), typeof __llmspellModules];\n",
    )
    assert value == [
        "helper:4", "1.0", "default-object", 2,
        ["NAME", "VERSION", "bump", "counter", "default", "helper"], True, "undefined",
    ]  # fmt: skip


def test_a_module_is_evaluated_once_before_its_importers(runtime, work):
    _write(work / "log.js", "export const seen = [];\nseen.push('log');\n")
    _write(
        work / "a.js", 'import { seen } from "./log.js";\nseen.push("a");\nexport const a = 1;\n'
    )
    _write(
        work / "b.js", 'import { seen } from "./log.js";\nseen.push("b");\nexport const b = 2;\n'
    )
    value, _ = run(
        runtime,
        work,
        'import { a } from "./a.js";\nimport { b } from "./b.js";\n'
        'import { seen } from "./log.js";\nseen.push("main");\nexport default seen;\n',
    )
    assert value == ["log", "a", "b", "main"]


def test_re_exports_and_top_level_await(runtime, work):
    _write(work / "more.js", "export function thrice(x) { return x * 3; }\nexport class Box {}\n")
    _write(
        work / "hub.js",
        'export * from "./more.js";\nexport * as more from "./more.js";\n'
        'export { thrice as triple } from "./more.js";\n'
        "const x = await Promise.resolve(5);\nexport { x as five };\n"
        "export default async function load() { return 'loaded'; }\n",
    )
    value, _ = run(
        runtime,
        work,
        'import load, { thrice, triple, more, five, Box } from "./hub.js";\n'
        "export default [thrice(2), triple(3), more.thrice(1), five, typeof Box, await load()];\n",
    )
    assert value == [6, 9, 3, 5, "function", "loaded"]


def test_imports_are_relative_to_the_importing_file(runtime, work):
    _write(
        work / "app" / "lib" / "util.js",
        'import { base } from "../base.js";\nexport const u = base + 1;\n',
    )
    _write(work / "app" / "base.js", "export const base = 41;\n")
    value, _ = run(
        runtime, work, 'import { u } from "./lib/util";\nexport default u;\n', name="app/main.js"
    )
    assert value == 42


def test_errors_name_the_modules_file_and_line(runtime, work):
    _write(
        work / "bad.js", "export function fails() {\n  // line 2\n  throw new Error('boom');\n}\n"
    )
    _write(work / "top.js", "export const a = 1;\n\nthrow new Error('top-level boom');\n")
    _write(work / "syn.js", "export const a = 1;\nlet x = = 2;\n")
    err = fail(runtime, work, 'import { fails } from "./bad.js";\n\nfails();\n')
    assert (err.file, err.line, err.message) == ("bad.js", 3, "boom")
    err = fail(runtime, work, 'import { a } from "./top.js";\n')
    assert (err.file, err.line, err.message) == ("top.js", 3, "top-level boom")
    err = fail(runtime, work, 'import { a } from "./syn.js";\n')
    assert (err.file, err.line) == ("syn.js", 2)
    assert "SyntaxError" in err.message
    # the spell's own lines stay its own
    err = fail(runtime, work, 'import { a } from "./top.js";\n')
    err = fail(runtime, work, 'import { fails } from "./bad.js";\nconst y = 1;\nnull.x;\n')
    assert err.file in ("main.js", "bad.js")


def test_link_errors_are_clear(runtime, work):
    _write(work / "lib.js", "export const a = 1;\n")
    _write(work / "ca.js", 'import { b } from "./cb.js";\nexport const a = 1;\n')
    _write(work / "cb.js", 'import { a } from "./ca.js";\nexport const b = 1;\n')
    cases = [
        ('\nimport { x } from "./missing.js";', NotFoundError, "no such module file", 2),
        ('import _ from "lodash";', ValidationError, "only relative modules", 1),
        ('import { nope } from "./lib.js";', ValidationError, "does not export 'nope'", 1),
        ('import x from "./lib.js";', ValidationError, "does not export 'default'", 1),
        ('import { a } from "./ca.js";', ValidationError, "circular import: ca.js -> cb.js", 1),
        ('import { a } from "./lib.js" with { type: "json" };', ValidationError, "attributes", 1),
        ('import("./lib.js");', ValidationError, "import() at run time is not supported", None),
    ]  # fmt: skip
    for source, kind, text, line in cases:
        err = fail(runtime, work, source)
        assert isinstance(err, kind), (source, err)
        assert text in err.message, (source, err.message)
        if line is not None:
            assert err.line == line, source


def test_a_module_importing_the_spell_is_a_cycle(runtime, work):
    _write(work / "back.js", 'import { x } from "./main.js";\nexport const y = 1;\n')
    err = fail(runtime, work, 'import { y } from "./back.js";\nexport const x = 1;\n')
    assert "circular import: main.js -> back.js -> main.js" in err.message


@pytest.mark.parametrize(
    "spec", ["../outside.js", "./link.js", "./dirlink/x.js", "../../../../etc/passwd"]
)
def test_modules_outside_the_allowed_paths_are_denied(runtime, work, spec):
    outside = _write(work.parent / "outside.js", "export const secret = 'outside';\n")
    (work / "link.js").symlink_to(outside)
    (work / "dirlink").symlink_to(work.parent)
    _write(work.parent / "x.js", "export const secret = 1;\n")
    err = fail(runtime, work, f'import {{ secret }} from "{spec}";\nprint(secret);\n')
    assert isinstance(err, SecurityError)
    assert f"import of '{spec}' is denied" in err.message
    assert str(work.parent) not in err.message.split("allowed paths")[0]


def test_a_module_over_max_input_bytes_is_refused(runtime, work):
    _write(work / "big.js", "export const a = 1;\n//" + "x" * 5000)
    err = fail(runtime, work, 'import { a } from "./big.js";\n')
    assert isinstance(err, SecurityError)
    assert "over the limit of 4096 bytes" in err.message


def test_imports_inside_strings_comments_and_regexes_are_not_statements(runtime, work):
    _write(work / "lib.js", "export const a = 'real';\n")
    value, _ = run(
        runtime,
        work,
        '// import { x } from "./nope.js";\n/* import y from "./nope.js" */\n'
        'const s = `import { z } from "./nope.js" ${"${"}`;\n'
        'const r = /import "x"/; const d = 4 / 2 / 1;\nimport { a } from "./lib.js";\n'
        "export default [a, s.length > 0, r.source, d];\n",
    )
    assert value == ["real", True, 'import "x"', 2]


def test_a_spell_without_imports_is_unchanged(runtime, work):
    value, _ = run(runtime, work, "const x = await Promise.resolve(3);\nexport default x;\n")
    assert value == 3


def test_tokenizer_tracks_depth_and_templates():
    toks = tokenize("a({b: `x${ {c: 1}.c }y`}) / 2; import")
    assert [t.text for t in toks if t.depth == 0] == ["a", "(", ")", "/", "2", ";", "import"]
    assert any(t.kind == "tpl" for t in toks)


def test_module_errors_are_script_errors_with_the_module_name(runtime, work):
    _write(work / "thrower.js", "export function f() { return undefinedName; }\n")
    err = fail(runtime, work, 'import { f } from "./thrower.js";\nf();\n')
    assert isinstance(err, ScriptError)
    assert (err.file, err.line) == ("thrower.js", 1)
    assert "undefinedName" in err.message


def test_string_export_names_and_odd_specifiers(runtime, work):
    _write(work / "strx.js", 'export const a = 1;\nexport { a as "b-c" };\n')
    value, _ = run(runtime, work, 'import { "b-c" as bc } from "./strx.js";\nexport default bc;\n')
    assert value == 1
    cases = [
        ('import { "b-c" as "x; y" } from "./strx.js";', "is not a name a module can bind"),
        ('import { a } from "./\\x73trx.js";', "unsupported escape"),
        ('import { a } from "./' + "a" * 100_000 + '.js";', "no such module file"),
    ]
    for source, text in cases:
        err = fail(runtime, work, source)
        assert isinstance(err, (ValidationError, NotFoundError)), source[:60]
        assert text in err.message


def test_the_spells_own_exports_are_not_parsed(runtime, work):
    _write(work / "lib.js", "export const pair = { a: 1, b: 2 };\n")
    value, _ = run(
        runtime,
        work,
        'import { pair } from "./lib.js";\nexport const { a, b } = pair;\nexport default a + b;\n',
    )
    assert value == 3


def test_line_ranges_are_bounded(runtime, work, monkeypatch):
    import llmspell_js.modules as modules

    monkeypatch.setattr(modules, "MAX_PADDING", 50)
    for i in range(3):
        _write(work / f"m{i}.js", "export const v = 1;\n" + "\n" * 30)
    source = "".join(f'import {{ v as v{i} }} from "./m{i}.js";\n' for i in range(3))
    err = fail(runtime, work, source + "\n" * 30)
    assert "too many lines to link" in err.message
