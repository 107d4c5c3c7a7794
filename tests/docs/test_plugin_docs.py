"""The docs stay true: every hookspec is in docs/plugins.md with its exact signature, and
the examples marked runnable in docs/*.md run.

Conventions in the Markdown (an HTML comment on the line before a fenced block):

- ``<!-- run -->`` before a ```lua or ```js block: the block runs through the real CLI
  (``llmspell run``, as ``spell.lua`` / ``spell.js`` unless its first line is a comment
  naming the file, ``-- greet.lua: ...`` / ``// args.js: ...``) and must exit 0.
  Attributes: ``args="a --k v"`` (passed after ``--``), ``exit=N`` (the expected exit
  code), ``file=name.ext`` (the file name).
- ``<!-- stdout -->`` before a ```text block right after a runnable block: the run's
  stdout must equal it.
- ``<!-- plugin: NAME -->`` before a ```python block: a plugin module, executed and
  registered on an in-process runtime (with the Lua engine) by the test below;
  ``<!-- spell: NAME file=x.ext -->`` before a block: a spell run on that runtime (with
  the Lua and JavaScript engines; its stdout is checked against a following
  ``<!-- stdout -->`` block).
"""

from __future__ import annotations

import inspect
import io
import itertools
import os
import re
import shlex
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from llmspell import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PLUGINS_MD = DOCS / "plugins.md"

_MARKER = re.compile(r"^<!--\s*(run|stdout|plugin|spell)\b:?\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^```(\S*)\s*$")
_ATTR = re.compile(r'(\w+)=(?:"([^"]*)"|(\S+))')
#: languages of runnable blocks: fence info string -> (file extension, line comment)
LANGS = {"lua": (".lua", "--"), "js": (".js", "//")}


# -- hookspec signatures ------------------------------------------------------------------


def hookspec_functions() -> list[Any]:
    """Every function of llmspell.hookspecs marked as a hookspec (pluggy's marker)."""
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return [
        obj
        for _, obj in sorted(vars(hookspecs).items())
        if inspect.isfunction(obj) and hasattr(obj, marker)
    ]


def _annotation(annotation: Any) -> str:
    # hookspecs.py uses ``from __future__ import annotations``: annotations are the
    # strings written in the source, rendered verbatim
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def render_signature(fn: Any) -> str:
    """``def NAME(PARAMS) -> RETURN`` with the annotations exactly as written."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    parts: list[str] = []
    star = False
    for idx, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if p.kind is p.VAR_POSITIONAL:
            star = True
        text = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
            if p.default is not p.empty:
                text += f" = {p.default!r}"
        elif p.default is not p.empty:
            text += f"={p.default!r}"
        parts.append(text)
        last_positional_only = p.kind is p.POSITIONAL_ONLY and (
            idx + 1 == len(params) or params[idx + 1].kind is not p.POSITIONAL_ONLY
        )
        if last_positional_only:
            parts.append("/")
    ret = ""
    if sig.return_annotation is not sig.empty:
        ret = f" -> {_annotation(sig.return_annotation)}"
    return f"def {fn.__name__}({', '.join(parts)}){ret}"


def test_there_are_hookspecs() -> None:
    names = {fn.__name__ for fn in hookspec_functions()}
    assert {"register_engines", "register_globals", "register_tools"} <= names


@pytest.mark.parametrize("spec", hookspec_functions(), ids=lambda fn: fn.__name__)
def test_hookspec_documented_with_exact_signature(spec: Any) -> None:
    text = PLUGINS_MD.read_text(encoding="utf-8")
    signature = render_signature(spec)
    assert signature in text, f"docs/plugins.md lacks the exact signature: {signature}"
    assert f"### `{spec.__name__}`" in text, f"docs/plugins.md has no section for {spec.__name__}"


def test_render_signature_format() -> None:
    def sample(register: Any, *, flag: bool = False) -> None: ...

    assert render_signature(hookspec_functions()[0]).startswith("def ")
    assert render_signature(sample) == "def sample(register: Any, *, flag: bool = False) -> None"


# -- runnable examples --------------------------------------------------------------------


@dataclass
class Block:
    doc: str
    line: int
    lang: str
    code: str
    kind: str | None = None  # run, stdout, plugin, spell
    attrs: dict[str, str] = field(default_factory=dict)
    name: str = ""
    stdout: str | None = None

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def parse_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file with the marker comment before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    pending: tuple[str, str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _MARKER.match(line.strip())
        if m:
            pending = (m.group(1), m.group(2))
            i += 1
            continue
        f = _FENCE.match(line)
        if f and not line.startswith("````"):
            start = i + 1
            j = start
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            block = Block(path.name, start, f.group(1), "\n".join(lines[start:j]) + "\n")
            if pending:
                block.kind, attr_text = pending
                if block.kind in ("plugin", "spell"):
                    block.name, _, attr_text = attr_text.partition(" ")
                block.attrs = {k: a or b for k, a, b in _ATTR.findall(attr_text)}
            blocks.append(block)
            pending = None
            i = j + 1
            continue
        if line.strip():
            pending = None
        i += 1
    # attach expected stdout to the block it follows
    for prev, block in itertools.pairwise(blocks):
        if block.kind == "stdout" and prev.kind in ("run", "spell"):
            prev.stdout = block.code
    return blocks


def _doc_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def runnable_blocks() -> list[Block]:
    return [
        b
        for path in _doc_files()
        for b in parse_blocks(path)
        if b.kind == "run" and b.lang in LANGS
    ]


def _llmspell() -> str:
    exe = Path(sys.executable).with_name("llmspell")
    if not exe.exists():  # pragma: no cover - Windows layout
        exe = Path(sys.executable).with_name("llmspell.exe")
    return str(exe)


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LLMSPELL_") and k not in ("PYTHONPATH",)
    }
    env["LLMSPELL_HOME"] = str(home)
    return env


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_some_blocks_are_runnable(lang: str) -> None:
    blocks = [b for b in runnable_blocks() if b.lang == lang]
    assert len(blocks) >= 5, f"too few runnable {lang} examples in docs/"
    assert len(blocks) <= 60, "keep the runnable examples moderate (each costs a process)"
    assert any(b.stdout is not None for b in blocks), f"no {lang} example checks its stdout"


@pytest.mark.parametrize("block", runnable_blocks(), ids=lambda b: b.id)
def test_runnable_block(block: Block, tmp_path: Path) -> None:
    ext, comment = LANGS[block.lang]
    script = tmp_path / block.attrs.get("file", "spell" + ext)
    if "file" not in block.attrs:
        # name the file as the example's first-line comment does (``-- greet.lua: ...``)
        m = re.match(rf"{re.escape(comment)}\s*([\w.-]+{re.escape(ext)})\b", block.code)
        if m:
            script = tmp_path / m.group(1)
    script.write_text(block.code, encoding="utf-8")
    argv = [_llmspell(), "run", script.name]
    if block.attrs.get("args"):
        argv += ["--", *shlex.split(block.attrs["args"])]
    proc = subprocess.run(
        argv, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    expected = int(block.attrs.get("exit", "0"))
    assert proc.returncode == expected, (
        f"{block.id}: exit {proc.returncode}, expected {expected}\n"
        f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    if block.stdout is not None:
        assert proc.stdout == block.stdout, f"{block.id}: stdout differs\n{proc.stdout}"


# -- plugin examples (in-process) ---------------------------------------------------------


def plugin_examples() -> list[tuple[Block, list[Block]]]:
    blocks = parse_blocks(PLUGINS_MD)
    plugins = {b.name: b for b in blocks if b.kind == "plugin"}
    out: list[tuple[Block, list[Block]]] = []
    for name, plugin in plugins.items():
        spells = [b for b in blocks if b.kind == "spell" and b.name == name]
        out.append((plugin, spells))
    return out


def test_plugin_examples_exist() -> None:
    examples = plugin_examples()
    assert len(examples) >= 3
    assert all(spells for _, spells in examples), "every plugin example has a spell"


@pytest.mark.parametrize("example", plugin_examples(), ids=lambda e: e[0].name)
def test_plugin_example_runs(example: tuple[Block, list[Block]], tmp_path: Path) -> None:
    from llmspell.config import load_settings
    from llmspell.plugins import PluginLoader
    from llmspell.runtime import Output, Runtime
    from llmspell_js import plugin as js_plugin
    from llmspell_lua import plugin as lua_plugin

    plugin_block, spells = example
    module = types.ModuleType(f"docs_example_{plugin_block.name.replace('-', '_')}")
    sys.modules[module.__name__] = module  # dataclasses and pickling look modules up
    try:
        exec(compile(plugin_block.code, f"{plugin_block.id}", "exec"), module.__dict__)
        loader = PluginLoader(autoload=False, strict=True)
        loader.register(lua_plugin, name="lua")
        loader.register(js_plugin, name="engine_js")
        loader.register(module, name=plugin_block.name)
        loader.check_pending()
        settings = load_settings(
            use_files=False, environ={}, overrides={("state", "backend"): "memory"}
        )
        runtime = Runtime(settings, loader=loader)
        try:
            for spell in spells:
                path = tmp_path / spell.attrs.get("file", "spell.lua")
                path.write_text(spell.code, encoding="utf-8")
                out, err = io.StringIO(), io.StringIO()
                runtime.run_sync(path=path, output=Output(out, err))
                if spell.stdout is not None:
                    assert out.getvalue() == spell.stdout, f"{spell.id}: {out.getvalue()!r}"
        finally:
            runtime.close()
    finally:
        sys.modules.pop(module.__name__, None)
