"""End-to-end tests of the ``[tools.NAME]`` checks: ``llmspell config validate`` lists every
problem, ``llmspell run``/``exec`` stop at the first before the spell starts; both exit 2
naming the file, the table (and key) and the fix. A third-party tool that declares no
settings accepts any key. A real ``llmspell`` subprocess per case (see conftest.py).
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest

#: a spell that would leave a mark if it ran
SPELL = 'print("the spell ran")\n'


def _problems(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "ConfigurationError" in line]


def test_validate_unknown_tool_suggests_the_closest_name(cli):
    cli.write("llmspell.toml", "[tools.calculater]\nmax_int_bits = 64\n")
    proc = cli("config", "validate")
    assert proc.returncode == 2, cli.explain(proc)
    assert proc.stdout == ""
    assert _problems(proc) == [
        f"llmspell: ConfigurationError: invalid configuration in {cli.cwd / 'llmspell.toml'}: "
        "[tools.calculater]: no tool named 'calculater' is installed (did you mean "
        "'calculator'?) (rename the table to [tools.calculator], or remove it)"
    ]


def test_validate_unknown_tool_without_a_close_name(cli):
    cli.write("cfg.toml", "[tools.zzz-nothing-like-it]\nx = 1\n")
    proc = cli("config", "validate", "--config", "cfg.toml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "cfg.toml: [tools.zzz-nothing-like-it]: no tool named" in proc.stderr
    assert "did you mean" not in proc.stderr
    assert "llmspell tool list shows the installed tools" in proc.stderr


def test_validate_unknown_key_lists_the_valid_keys(cli):
    cli.write("llmspell.toml", "[tools.archive-handler]\nmax_member = 5\n")
    proc = cli("config", "validate")
    assert proc.returncode == 2, cli.explain(proc)
    (line,) = _problems(proc)
    assert "llmspell.toml: [tools.archive-handler] max_member: unknown key" in line
    assert "did you mean 'max_members'?" in line
    assert "valid keys: max_members, max_total_bytes" in line
    assert "llmspell tool info archive-handler describes them" in line


def test_validate_lists_every_problem_and_wrong_types(cli):
    cli.write(
        "llmspell.toml",
        textwrap.dedent("""\
            [tools.calculator]
            max_int_bits = "lots"

            [tools.uuid-generator]
            seed = 1

            [tools.web-searcher]
            provider = "brave"
            bing_url = "https://example.com"
        """),
    )
    proc = cli("config", "validate")
    assert proc.returncode == 2, cli.explain(proc)
    problems = _problems(proc)
    assert len(problems) == 3, proc.stderr
    assert "[tools.calculator] max_int_bits: 'lots' is not of type 'integer'" in problems[0]
    assert "[tools.uuid-generator] seed: unknown key: uuid-generator has no settings" in problems[1]
    assert "remove the [tools.uuid-generator] table" in problems[1]
    assert "[tools.web-searcher] bing_url: unknown key" in problems[2]
    assert "provider" in problems[2] and "brave_url" in problems[2]


def test_validate_accepts_the_documented_settings(cli):
    cli.write(
        "llmspell.toml",
        textwrap.dedent("""\
            [tools.calculator]
            max_int_bits = 4096

            [tools.database-connector]
            allow_write = true
            max_rows = 10
            timeout_s = 2.5

            [tools.email-sender]
            password = "secret"
            region = "eu"
            port = 2525

            [tools.webhook-caller]
            secret_envs = { HOOK_SECRET = ["https://hooks.example.com/build"] }

            [tools.web-searcher]
            provider = "duckduckgo"
            duckduckgo_url = "http://127.0.0.1:9/html/"
        """),
    )
    proc = cli("config", "validate")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.startswith("configuration OK (")


@pytest.mark.parametrize("ext", [".lua", ".js"])
def test_run_stops_at_a_typo_before_the_spell_starts(cli, ext):
    cli.write("llmspell.toml", "[tools.calculator]\nmax_bits = 64\n")
    spell = cli.write(f"spell{ext}", SPELL if ext == ".lua" else 'console.log("the spell ran");\n')
    proc = cli("run", spell.name)
    assert proc.returncode == 2, cli.explain(proc)
    assert "the spell ran" not in proc.stdout
    # the same message config validate prints
    validate = cli("config", "validate")
    (expected,) = _problems(validate)
    expected = expected.removeprefix("llmspell: ")
    assert proc.stderr.strip() == expected, cli.explain(proc)
    assert "[tools.calculator] max_bits: unknown key (did you mean 'max_int_bits'?" in expected


def test_run_unknown_tool_and_exec_and_the_count_of_other_problems(cli):
    cli.write("alt.toml", "[tools.calculater]\nx = 1\n[tools.uuid-generator]\ny = 2\n")
    proc = cli("exec", SPELL, "--config", "alt.toml")
    assert proc.returncode == 2, cli.explain(proc)
    assert "the spell ran" not in proc.stdout
    assert "alt.toml: [tools.calculater]: no tool named 'calculater'" in proc.stderr
    assert "(1 more: llmspell config validate lists them)" in proc.stderr


def test_tool_invoke_reports_the_typo_too(cli):
    cli.write("llmspell.toml", "[tools.calculator]\nmax_bits = 64\n")
    proc = cli("tool", "invoke", "calculator", "-p", '{"input": "1 + 2"}')
    assert proc.returncode == 2, cli.explain(proc)
    assert proc.stdout == ""
    assert "ConfigurationError: invalid configuration in" in proc.stderr
    assert "[tools.calculator] max_bits: unknown key" in proc.stderr
    # listing and inspecting still work, to find the right name
    assert cli("tool", "info", "calculator").returncode == 0


def test_run_with_valid_tool_tables_runs(cli):
    cli.write("llmspell.toml", "[tools.calculator]\nmax_int_bits = 64\n")
    proc = cli("exec", 'print(Tool.execute("calculator", {input = "2 ** 100"}).error)')
    assert proc.returncode == 0, cli.explain(proc)
    assert "max_int_bits" in proc.stdout  # the setting is in force


# -- a third-party tool that declares no settings --------------------------------------------

PLUGIN = '''\
"""A third-party tool written before tools declared their settings."""

from llmspell import hookimpl
from llmspell.tools import Tool


def _run(params, ctx):
    return dict(ctx.settings.tools.get("third-party-echo") or {})


@hookimpl
def register_tools(register):
    register(Tool(name="third-party-echo", description="Return its [tools] table.",
                  handler=_run, source="fakeplug"))
'''


@pytest.fixture
def plugin_env(cli):
    """An installed plugin (a dist-info on PYTHONPATH) whose tool declares no settings."""
    site = cli.cwd / "site"
    cli.write("site/fakeplug_tools.py", PLUGIN)
    cli.write("site/fakeplug-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: fakeplug\n"
              "Version: 0.1\n")  # fmt: skip
    cli.write(
        "site/fakeplug-0.1.dist-info/entry_points.txt", "[llmspell]\nfakeplug = fakeplug_tools\n"
    )
    env = {"PYTHONPATH": str(site)}
    allow = cli.env.get("LLMSPELL_LOAD_PLUGINS")
    if allow is not None:
        env["LLMSPELL_LOAD_PLUGINS"] = f"{allow},fakeplug"
    return env


def test_a_tool_without_a_settings_schema_accepts_any_key(cli, plugin_env):
    cli.write("llmspell.toml", '[tools.third-party-echo]\nanything = 7\nmore = "yes"\n')
    proc = cli("config", "validate", env=plugin_env)
    assert proc.returncode == 0, cli.explain(proc)
    proc = cli(
        "exec", 'print(Tool.execute("third-party-echo", {}).result.anything)', env=plugin_env
    )
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout.strip() == "7"
    info = cli("tool", "info", "third-party-echo", env=plugin_env)
    assert info.returncode == 0, cli.explain(info)
    assert "settings: not declared (any key of its [tools.NAME] table is accepted)" in info.stdout
    # the plugin's tool is known: a typo in its name is still caught
    cli.write("llmspell.toml", "[tools.third-party-ecko]\nanything = 7\n")
    proc = cli("config", "validate", env=plugin_env)
    assert proc.returncode == 2 and "did you mean 'third-party-echo'?" in proc.stderr


def test_the_tool_tables_in_the_docs_validate(cli):
    # every ```toml block of docs/ with a [tools.NAME] table names real tools and keys
    docs = Path(__file__).resolve().parents[2] / "docs"
    blocks = [
        (page, block)
        for page in sorted(docs.rglob("*.md"))
        for block in re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
        if "[tools." in block
    ]
    assert len(blocks) >= 3
    for i, (page, block) in enumerate(blocks):
        cli.write(f"doc{i}.toml", block)
        proc = cli("config", "validate", "--config", f"doc{i}.toml")
        assert proc.returncode == 0, f"{page.relative_to(docs)}:\n{cli.explain(proc)}"


def test_validate_checks_mcp_server_tables(cli):
    cli.write(
        "llmspell.toml",
        textwrap.dedent("""\
            [mcp.servers.time]
            command = "uvx"
            samplin = true

            [mcp.servers.web]
            url = "http://127.0.0.1:9/mcp"
            sampling_max_tokens = -1
        """),
    )
    proc = cli("config", "validate")
    assert proc.returncode == 2, cli.explain(proc)
    problems = _problems(proc)
    assert len(problems) == 2, proc.stderr
    assert "llmspell.toml: " in problems[0] and "samplin" in problems[0]
    assert "did you mean 'sampling'" in problems[0]
    assert "sampling_max_tokens" in problems[1]
    cli.write("llmspell.toml", '[mcp.servers.time]\ncommand = "uvx"\nsampling = true\n')
    proc = cli("config", "validate")
    assert proc.returncode == 0, cli.explain(proc)
