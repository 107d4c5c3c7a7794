"""The docs claim only what exists, and do not call a shipped feature missing.

Every page a user reads (``README.md``, ``examples/README.md``, ``docs/**/*.md``) is
checked against the code *at test time* — nothing here lists what exists
(``doc_truth.py`` asks the code, ``doc_claims.py`` reads the claims):

- **tools**: names in ``Tool.execute("x"``/``Tool.get("x")``/``Tool.schema("x")``, an
  agent's ``tools = {...}``, a workflow step's ``tool = "x"``, ``[tools.x]`` and
  ``llmspell tool info|invoke x`` must be installed tools (the real tool registry) or tools
  the same page defines (``Tool.register``, ``as_tool``, a plugin example); rs-llmspell's
  old names only on the rs-llmspell page;
- **CLI**: every ``llmspell ...`` command line in a code block or inline code is walked
  through the real command tree of ``llmspell_cli`` (commands, subcommands, options), and
  the option tables of the CLI reference name only the command's options;
- **configuration**: every key of a ```toml block (and every ``[section] key`` in inline
  code) must be a setting of ``llmspell.config`` — ``[providers.NAME]`` keys those of a
  provider, ``[tools.NAME]`` keys those the tool declares (``Tool.settings``) when it
  declares them;
- **globals**: in ```lua and ```js blocks, a capitalised global must exist in that
  engine (asked of the real engine through ``llmspell exec``) or be defined by the page,
  and ``Global.member`` of an API global must be one of its functions in that language
  (in inline code: in either language); Lua blocks must not use a standard library
  function the sandbox does not have (also asked of the engine);
- **stale words**: "arrives in a later release", "not yet", "registers nothing", ...
- **counts**: "N tools" must be the number of installed tools;
- **completeness**: the tool index (``docs/tools/README.md``) has a row for every tool,
  the CLI reference (``docs/cli.md``) mentions every command and option, and the globals
  table of ``docs/script-api.md`` names every API global.

``doc_claims.ALLOWLIST`` holds the intentional exceptions, each with its reason; an entry
that no longer matches anything fails too, so the list stays small.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from doc_claims import ALLOWLIST, CHECKS, unexpected
from doc_pages import PAGES, ROOT, Problem, page, parse_page
from doc_truth import api_globals, cli_root, engine_globals, runtime, tool_names


@pytest.fixture(autouse=True, scope="module")
def _close_runtime() -> Iterator[None]:
    yield
    if runtime.cache_info().currsize:
        runtime().close()
        runtime.cache_clear()


# -- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CHECKS))
@pytest.mark.parametrize("name", PAGES)
def test_page_claims_exist(name: str, kind: str) -> None:
    problems = unexpected(CHECKS[kind](page(name)))
    assert not problems, "the page claims what does not exist:\n" + "\n".join(map(str, problems))


def test_allowlist_entries_are_used() -> None:
    used = {
        (p.page, p.kind, p.value)
        for name in PAGES
        for check in CHECKS.values()
        for p in check(page(name))
    }
    stale = [f"{k}: {why}" for k, why in ALLOWLIST.items() if k not in used]
    assert not stale, "allowlist entries that match nothing (remove them):\n" + "\n".join(stale)


def test_every_tool_is_in_the_tool_index() -> None:
    index = (ROOT / "docs" / "tools" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \[([\w-]+)\]\(", index, re.M))
    missing = sorted(tool_names() - listed)
    assert not missing, f"docs/tools/README.md lists no row for: {missing}"


def _undocumented(cmd: Any, path: list[str], text: str) -> Iterator[str]:
    for param in cmd.params:
        if getattr(param, "param_type_name", "") != "option" or getattr(param, "hidden", False):
            continue
        for opt in param.opts:
            if opt.startswith("--") and opt not in text:
                yield f"{' '.join(path)} {opt}"
    for name, sub in getattr(cmd, "commands", {}).items():
        if getattr(sub, "hidden", False):
            continue
        # "llmspell tool list", or one of alternatives: "llmspell state list|get|delete"
        if not re.search(rf"{re.escape(' '.join(path))} [\w|-]*\b{re.escape(name)}\b", text):
            yield f"{' '.join(path)} {name}"
        yield from _undocumented(sub, [*path, name], text)


def test_cli_reference_covers_every_command_and_option() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = sorted(set(_undocumented(cli_root(), ["llmspell"], text)))
    assert not missing, f"docs/cli.md does not mention: {missing}"


def test_an_undocumented_command_or_option_is_found() -> None:
    text = "llmspell run --engine; llmspell tool list|info"
    missing = set(_undocumented(cli_root(), ["llmspell"], text))
    assert {"llmspell exec", "llmspell run --timeout", "llmspell tool invoke"} <= missing
    assert not {"llmspell run", "llmspell run --engine", "llmspell tool info"} & missing


def test_the_script_api_page_names_every_global() -> None:
    text = (ROOT / "docs" / "script-api.md").read_text(encoding="utf-8")
    table = text[: text.index("\n## ")]  # the table of globals before the first section
    missing = sorted(name for name in api_globals() if f"`{name}`" not in table)
    assert not missing, f"the globals table of docs/script-api.md lacks: {missing}"


def test_the_pages_are_found() -> None:
    assert {"README.md", "docs/script-api.md", "docs/cli.md", "docs/configuration.md"} <= set(PAGES)
    assert "docs/SCRIPT-API.md" not in PAGES, "one script-API page: docs/script-api.md"


def test_truth_comes_from_the_code() -> None:
    assert {"calculator", "file-operations"} <= tool_names()
    assert {"State", "Tool", "Agent", "Workflow", "Hook", "Event"} <= set(api_globals())
    assert {"print", "State"} <= engine_globals("lua")
    assert {"console", "State"} <= engine_globals("js")
    assert {"run", "exec", "tool", "config"} <= set(cli_root().commands)


# -- the checks catch what they should (a made-up page) --------------------------------------

BAD_PAGE = """# A page with false claims

`Workflow` arrives in a later release, and the 3 tools are not yet there.
A step that has not yet run is fine to mention.

```lua
local r = Tool.execute("web-search", { query = "x" })
local a = Agent.create({ model = "openai/gpt-4o-mini", tools = { "calculator", "nowhere" } })
Tool.execute("file_operations", { operation = "list", path = "." })
print(State.fetch("k"), os.execute("ls"), debug.traceback(), loadstring("x"))
local s = Streaming.create()
```

```js
const v = await State.listKeys("s");
const w = await State.list_keys("s");
```

```sh
$ llmspell run spell.lua --turbo
$ llmspell frobnicate
$ llmspell tool info no-such-tool
$ llmspell config show|check
```

```toml
[runtime]
timeout = 5

[tools.web-search]
max_results = 5

[providers.local]
api_key = "sk-nope"
```

See `[security] allow_everything` and `llmspell config check`, and `Hook.fire(point)`.

## `llmspell run`

| option | meaning |
|---|---|
| `--turbo` | goes faster |
| `--timeout SECONDS`, `-V` | the run's own option, and the root's |

## `llmspell frob`
"""


def _bad() -> dict[str, set[str]]:
    pg = parse_page("bad.md", BAD_PAGE)
    return {kind: {p.value for p in check(pg)} for kind, check in CHECKS.items()}


def test_checks_flag_unknown_tools() -> None:
    assert _bad()["tool"] == {"web-search", "nowhere", "file_operations"}


def test_checks_flag_unknown_commands_and_flags() -> None:
    found = _bad()["command"]
    assert "llmspell run spell.lua --turbo" in found
    assert "llmspell frobnicate" in found
    assert "llmspell tool info no-such-tool" in found
    assert "llmspell config check" in found
    assert "llmspell config show|check" in found
    assert {"--turbo", "frob"} <= found  # the option tables of the CLI reference
    assert not {"--timeout", "-V"} & found


def test_checks_flag_unknown_config_keys() -> None:
    assert {"runtime.timeout", "providers.local.api_key", "security.allow_everything"} <= _bad()[
        "config key"
    ]


def test_checks_flag_unknown_globals_and_sandboxed_names() -> None:
    found = _bad()["global"]
    assert {"os.execute", "debug.traceback", "loadstring"} <= found
    assert {"State.fetch", "Streaming", "State.list_keys", "Hook.fire"} <= found
    assert "State.listKeys" not in found


def test_checks_flag_stale_words() -> None:
    assert _bad()["stale"] == {"arrives in a later release", "are not yet"}


def test_checks_flag_a_wrong_tool_count() -> None:
    assert _bad()["count"] == {"3 tools"}


def test_good_claims_pass() -> None:
    good = parse_page(
        "good.md",
        '```lua\nlocal r = Tool.execute("calculator", { input = "1+2" })\n'
        'print(State.list_keys("s")[1], JSON.stringify(r))\n```\n\n'
        "```sh\n$ llmspell run x.lua --timeout 5 -o json -- --anything goes\n"
        "$ llmspell tool invoke calculator -p '{}'\n"
        "$ llmspell config show|validate\n```\n\n"
        "```toml\n[runtime]\ntimeout_seconds = 5\n```\n\nSee `[security] allow_network`.\n",
    )
    for kind, check in CHECKS.items():
        assert not check(good), kind


def test_problem_reads_well() -> None:
    problem = Problem("docs/x.md", 3, "tool", "datetime", "no such tool (Tool call)")
    assert str(problem) == "docs/x.md:3: tool 'datetime': no such tool (Tool call)"
    assert json.dumps(str(problem))
