"""JavaScript footguns are not silent (issue 13): a host call that fails while nobody
awaits it fails the run with its location; a Promise printed, used as a string, turned
into JSON or passed to the host gets a hint ("did you forget `await`?")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.test_progress import _on_pty


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


def _run(cli: CLI, source: str) -> tuple[int, str, str]:
    cli.write("spell.js", source)
    done = cli("run", "spell.js")
    return done.returncode, done.stdout, done.stderr


def test_an_unawaited_failing_call_fails_the_run_with_its_line(cli: CLI) -> None:
    code, out, err = _run(
        cli, 'console.log("start");\nTool.execute("no-such-tool", {});\nconsole.log("after");\n'
    )
    assert code == 1
    assert out == "start\nafter\n"  # the spell ran to its end first, as Node does
    assert err.startswith("spell.js:2: NotFoundError: unknown tool 'no-such-tool'")
    assert "never awaited: did you forget `await`?" in err


def test_an_unawaited_failing_agent_call_fails_the_run(cli: CLI) -> None:
    cli.write(
        "llmspell.toml",
        '[providers.down]\nprovider_type = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
        'api_key_env = "DOWN_KEY"\nmax_retries = 0\n',
    )
    cli.write(
        "spell.js",
        'const a = await Agent.builder().name("a").model("down/m").build();\na.execute("hi");\n',
    )
    done = cli("run", "spell.js", env={"DOWN_KEY": "k"})
    assert done.returncode == 1
    assert done.stderr.startswith("spell.js:2: ProviderError:"), done.stderr


@pytest.mark.parametrize(
    "source",
    [
        # awaited later, after other work
        'const p = Tool.execute("no-such", {});\nawait Tool.execute("calculator", {input: "1"});\n'
        "try { await p; } catch (e) { console.log(e.name); }\n",
        # handled with catch / then / Promise.allSettled
        'const r = await Tool.execute("no-such", {}).catch((e) => e.name);\nconsole.log(r);\n',
        'Tool.execute("no-such", {}).then(() => 1, (e) => console.log(e.name));\n',
        'const [s] = await Promise.allSettled([Tool.execute("no-such", {})]);\n'
        "console.log(s.reason.name);\n",
    ],
    ids=["awaited-later", "catch", "then", "allSettled"],
)
def test_a_handled_rejection_is_not_reported(cli: CLI, source: str) -> None:
    code, out, err = _run(cli, source)
    assert (code, out, err) == (0, "NotFoundError\n", "")


def test_a_promise_where_a_value_was_meant_gets_a_hint_once_per_line(cli: CLI) -> None:
    code, out, err = _run(
        cli,
        'const r = Tool.execute("calculator", {input: "1+2"});\n'
        "console.log(r);\n"
        'console.log("result: " + r);\n'
        "console.log(JSON.stringify(r));\n"
        "for (let i = 0; i < 3; i++) console.log(`${r}`);\n"
        "console.log({value: r});\n"
        "await r;\n",
    )
    assert code == 0
    assert out.splitlines() == [
        "[object Promise]",
        "result: [object Promise]",
        "{}",
        *["[object Promise]"] * 3,
        '{"value":"[object Promise]"}',
    ]
    assert err.splitlines() == [
        "spell.js:2: hint: a Promise was printed; did you forget `await`?",
        "spell.js:3: hint: a Promise was used as a string; did you forget `await`?",
        "spell.js:4: hint: a Promise was turned into JSON; did you forget `await`?",
        "spell.js:5: hint: a Promise was used as a string; did you forget `await`?",
        "spell.js:6: hint: a Promise was printed; did you forget `await`?",
    ]


def test_a_promise_passed_to_the_host_is_a_validation_error(cli: CLI) -> None:
    code, _, err = _run(
        cli,
        'const a = Tool.execute("calculator", {input: "1+2"});\n'
        'await Tool.execute("calculator", {input: a});\n',
    )
    assert code == 1
    assert err.startswith("spell.js:2: ValidationError: a Promise is not a value"), err
    assert "did you forget `await`?" in err


def test_async_functions_of_the_spell_still_print_normally(cli: CLI) -> None:
    code, out, err = _run(
        cli,
        "async function f() { return 2; }\n"
        "console.log(await f());\n"
        "console.log(String(1 + (await f())));\n",
    )
    assert (code, out, err) == (0, "2\n3\n", "")


def test_the_hint_reaches_a_terminal(cli: CLI) -> None:
    cli.write("spell.js", 'const r = Tool.execute("calculator", {input: "1"});\nprint(r);\n')
    code, text = _on_pty(cli, "run", "spell.js")
    assert code == 0
    assert "spell.js:2: hint: a Promise was printed; did you forget `await`?" in text
