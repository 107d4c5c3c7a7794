"""Install check (d): each distribution's wheel declares every dependency it imports.

A uv workspace shares one environment, so an undeclared import works there and breaks
for users. Two checks: a static one (every module a wheel imports is stdlib, the wheel's
own package, or a distribution in its ``Requires-Dist``) and a dynamic one (each wheel
installed with only its declared dependencies in a fresh venv imports every one of its
modules and does its job).
"""

from __future__ import annotations

import ast
import re
import sys
import zipfile
from email.parser import Parser
from importlib import metadata

import pytest

pytestmark = pytest.mark.slow

#: what each distribution must NOT bring along (heavy or optional dependencies)
FOREIGN = ("lupa", "typer", "rich", "quickjs", "openai", "anthropic")

#: imports a distribution may make without declaring them: the REPL and the kernel use an
#: installed engine's own parser for the engine the user picked (never otherwise); the
#: service tells a lost PostgreSQL connection by psycopg's errors only when [storage] url
#: is PostgreSQL (llmspell-core[postgres], named by extras.require at start), and reads the
#: provider presets for [serve] warm_sdks only when llmspell-providers is installed
OPTIONAL_IMPORTS = {
    "llmspell-cli": {
        "llmspell_lua",
        "llmspell_js",
        "lupa",
        "quickjs",
        "psycopg",
        "llmspell_providers",
    },
}

#: imports every module of the packages named in argv; prints one line per module. A
#: module may need a library of one of its distribution's optional extras (named, by
#: import name, in $LLMSPELL_TEST_EXTRA_MODULES): without it, importing that module is
#: allowed to fail on exactly that library (printed as "extra MODULE NEEDED"); users reach
#: such modules only through code that names the pip line first (llmspell.extras.require)
IMPORT_ALL = """\
import importlib, os, pkgutil, sys
extras = set(filter(None, os.environ.get("LLMSPELL_TEST_EXTRA_MODULES", "").split(",")))
for top in sys.argv[1:]:
    pkg = importlib.import_module(top)
    assert pkg.__file__.startswith(sys.prefix), (top, pkg.__file__, sys.prefix)
    print(top)
    def failed(name):
        exc = sys.exc_info()[1]
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in extras:
            print("extra", name, exc.name)
            return
        raise exc
    for info in pkgutil.walk_packages(pkg.__path__, top + ".", onerror=failed):
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in extras:
                raise
            print("extra", info.name, exc.name)
            continue
        print(info.name)
"""


def _extra_modules(*dists: str) -> str:
    """The import names provided by the optional extras of ``dists`` (comma-separated),
    read from the workspace's pyproject files and the dev environment."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    wanted: set[str] = set()
    for dist in dists:
        project = root / dist / "pyproject.toml"
        if not project.is_file():
            continue
        data = tomllib.loads(project.read_text(encoding="utf-8"))
        for reqs in data["project"].get("optional-dependencies", {}).values():
            for req in reqs:
                wanted.add(canonicalize_name(re.match(r"[A-Za-z0-9._-]+", req).group()))
    # the libraries those extras bring along count too (onnxruntime -> numpy, ...)
    seen: set[str] = set()
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" not in req:
                todo.append(canonicalize_name(re.match(r"[A-Za-z0-9._-]+", req).group()))
    tops = {
        top
        for top, owners in metadata.packages_distributions().items()
        if {canonicalize_name(d) for d in owners} & seen
    }
    return ",".join(sorted(tops))


# -- static: imports vs Requires-Dist ---------------------------------------------------


def canonicalize_name(name):
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_metadata(whl):
    with zipfile.ZipFile(whl) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(name).decode())
        sources = {n: zf.read(n).decode() for n in zf.namelist() if n.endswith(".py")}
    requires = set()
    # a library of an optional extra is declared too (imported lazily, behind
    # llmspell.extras.require; the dynamic checks below import every module without it)
    for line in meta.get_all("Requires-Dist") or []:
        requires.add(canonicalize_name(re.match(r"[A-Za-z0-9._-]+", line.strip()).group()))
    return canonicalize_name(meta["Name"]), requires, sources


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree):
    """Top-level module names imported anywhere (lazy imports too), except under
    ``if TYPE_CHECKING:`` and relative imports."""
    found = set()

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_every_wheel_declares_what_it_imports(wheels):
    infos = {dist: _wheel_metadata(whl) for dist, whl in wheels.items()}
    # import name -> distribution: our wheels first, then whatever the dev env knows
    providers = {
        top: {canonicalize_name(d) for d in dists}
        for top, dists in metadata.packages_distributions().items()
    }
    for name, _requires, sources in infos.values():
        for path in sources:
            providers[path.split("/")[0]] = {name}
    problems = []
    for dist, (name, requires, sources) in sorted(infos.items()):
        assert name == canonicalize_name(dist)
        own = {path.split("/")[0] for path in sources}
        for path, text in sorted(sources.items()):
            for top in sorted(_runtime_imports(ast.parse(text, path))):
                if top in sys.stdlib_module_names or top in own:
                    continue
                if top in OPTIONAL_IMPORTS.get(name, ()):
                    continue
                candidates = providers.get(top)
                if not candidates:
                    problems.append(f"{dist}: {path} imports {top!r}, which no known dist provides")
                elif not candidates & requires:
                    problems.append(
                        f"{dist}: {path} imports {top!r} (from {sorted(candidates)}) "
                        f"but Requires-Dist is {sorted(requires)}"
                    )
    assert not problems, "undeclared dependencies:\n" + "\n".join(problems)


# -- dynamic: fresh venvs with one distribution and its declared dependencies -----------------


def test_core_alone_imports_and_runs(make_venv, tmp_path):
    venv = make_venv("llmspell-core")
    assert not [d for d in FOREIGN if d in venv.installed], venv.installed
    proc = venv.run(
        [venv.python, "-c", IMPORT_ALL, "llmspell"],
        cwd=tmp_path,
        env={"LLMSPELL_TEST_EXTRA_MODULES": _extra_modules("llmspell-core")},
    )
    assert proc.returncode == 0, proc.stderr
    modules = proc.stdout.split()
    for needed in ("llmspell.runtime", "llmspell.plugins", "llmspell.api.builtin_plugin"):
        assert needed in modules
    code = """\
import asyncio
from llmspell.errors import NotFoundError
from llmspell.runtime import Runtime
rt = Runtime()
assert rt.engines.names() == [], rt.engines.names()
assert {p.name for p in rt.loader.plugins} == {"llmspell.builtins"}, rt.loader.plugins
assert "State" in [g.name for g in rt.globals.all()]
try:
    rt.run_sync("return 1", path="x.lua")
except NotFoundError as exc:
    print(exc)
rt.close()
"""
    (tmp_path / "x.lua").write_text("return 1\n")
    run = venv.python_c(code, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "llmspell-engine-lua" in run.stdout


def test_lua_engine_works_without_the_cli(make_venv, tmp_path):
    venv = make_venv("llmspell-core", "llmspell-engine-lua")
    assert "lupa" in venv.installed
    assert not [d for d in ("typer", "rich") if d in venv.installed], venv.installed
    assert not venv.script("llmspell").exists()
    proc = venv.run(
        [venv.python, "-c", IMPORT_ALL, "llmspell", "llmspell_lua"],
        cwd=tmp_path,
        env={"LLMSPELL_TEST_EXTRA_MODULES": _extra_modules("llmspell-core")},
    )
    assert proc.returncode == 0, proc.stderr
    assert "llmspell_lua.engine" in proc.stdout.split()
    code = """\
from llmspell.runtime import Runtime
rt = Runtime()
try:
    r = rt.run_sync('State.set("k", {1, 2}); return State.get("k")[2] * 21', path="x.lua")
    print(r.engine, r.value)
finally:
    rt.close()
"""
    (tmp_path / "x.lua").write_text("-- source given inline\n")
    run = venv.python_c(code, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["lua", "42"]


@pytest.mark.parametrize(
    ("dist", "package"),
    [
        ("llmspell-engine-js", "llmspell_js"),
        ("llmspell-providers", "llmspell_providers"),
        ("llmspell-tools", "llmspell_tools"),
        ("llmspell-cli", "llmspell_cli"),
        ("llmspell-engine-sample", "llmspell_engine_sample"),
    ],
)
def test_each_plugin_distribution_imports_with_core_only(make_venv, tmp_path, dist, package):
    venv = make_venv("llmspell-core", dist)
    proc = venv.run(
        [venv.python, "-c", IMPORT_ALL, package],
        cwd=tmp_path,
        env={"LLMSPELL_TEST_EXTRA_MODULES": _extra_modules("llmspell-core", dist)},
    )
    assert proc.returncode == 0, proc.stderr
    # its plugins load through the entry point, without error
    code = """\
from llmspell.plugins import PluginLoader
loader = PluginLoader()
print("\\n".join(f"{p.name}|{p.distribution}|{p.error}" for p in loader.plugins))
"""
    run = venv.python_c(code, cwd=tmp_path, env={"LLMSPELL_STRICT_PLUGINS": "1"})
    assert run.returncode == 0, run.stderr
    rows = [line.split("|") for line in run.stdout.splitlines()]
    assert all(err == "None" for _name, _dist, err in rows), rows


def test_cli_with_core_only(make_venv, tmp_path):
    venv = make_venv("llmspell-core", "llmspell-cli")
    assert "lupa" not in venv.installed
    helped = venv.llmspell("--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "run" in helped.stdout
    engines = venv.llmspell("engines", cwd=tmp_path)
    assert engines.returncode == 0, engines.stderr
    assert "pip install llmspell-engine-lua" in engines.stdout
    (tmp_path / "x.lua").write_text("print(1)\n")
    ran = venv.llmspell("run", "x.lua", cwd=tmp_path)
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    assert "llmspell-engine-lua" in ran.stderr
