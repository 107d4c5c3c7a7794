"""Lua's ``io.read`` in the llmspell Jupyter kernel, through jupyter_client: each read
that needs input sends an ``input_request`` and reads the front end's answer; a front
end that takes no input, or answers Ctrl-D, is the end of input (nil); while the kernel
waits for an answer, an interrupt and the cell's time limit still end the cell."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.kernel_support import Cell, KernelSession, install_spec, jupyter_env


@pytest.fixture(scope="module")
def jupyter_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    install_spec(prefix, "lua", "llmspell-stdin-lua")
    data = install_spec(prefix, "lua", "llmspell-stdin-lua-short", "--timeout", "1.5")
    with jupyter_env(data):
        yield data


@pytest.fixture(scope="module")
def lua(jupyter_dir: Path) -> Iterator[KernelSession]:
    k = KernelSession("llmspell-stdin-lua")
    yield k
    k.close()


def _input_request(k: KernelSession, timeout: float = 30) -> dict[str, Any]:
    msg = k.kc.get_stdin_msg(timeout=timeout)
    assert msg["msg_type"] == "input_request"
    return dict(msg["content"])


def test_io_read_asks_the_front_end(lua: KernelSession) -> None:
    msg_id = lua.kc.execute(
        'io.write("name? ")\nlocal name = io.read()\nprint("hello, " .. name)\n'
        'local n = io.read("n")\nprint(n * 2)',
        allow_stdin=True,
    )
    assert _input_request(lua) == {"prompt": "", "password": False}
    lua.kc.input("Ada")
    assert _input_request(lua)["password"] is False
    lua.kc.input("  21")
    cell = lua.collect(msg_id)
    assert cell.status == "ok", cell.reply
    assert cell.stream("stdout") == "name? hello, Ada\n42\n"


def test_one_answer_serves_several_reads(lua: KernelSession) -> None:
    # (the newline the last cell's io.read("n") left is not read: each cell starts afresh)
    msg_id = lua.kc.execute(
        "local a = io.read(3)\nlocal rest = io.read('l')\nreturn a, rest", allow_stdin=True
    )
    _input_request(lua)
    lua.kc.input("abcdef")
    cell = lua.collect(msg_id)
    assert cell.result == {"text/plain": "abc\tdef"}


def test_ctrl_d_and_no_stdin_are_the_end_of_input(lua: KernelSession) -> None:
    msg_id = lua.kc.execute("return io.read() == nil", allow_stdin=True)
    _input_request(lua)
    lua.kc.input("\x04")
    assert lua.collect(msg_id).result == {"text/plain": "true"}
    started = time.monotonic()
    code = "return io.read() == nil, io.read('a') == '', io.read('n') == nil"
    cell = lua.collect(lua.kc.execute(code, allow_stdin=False))
    assert cell.result == {"text/plain": "true\ttrue\ttrue"}
    assert time.monotonic() - started < 10  # at once, not at the time limit
    assert lua.kc.stdin_channel.msg_ready() is False  # nothing was asked


def test_an_interrupt_ends_a_cell_waiting_for_input(lua: KernelSession) -> None:
    msg_id = lua.kc.execute("local v = io.read()\nprint('never', v)", allow_stdin=True)
    _input_request(lua)
    lua.km.interrupt_kernel()
    cell: Cell = lua.collect(msg_id)
    assert cell.status == "error"
    assert cell.reply["content"]["ename"] == "Interrupted", cell.reply["content"]
    assert "never" not in cell.stream("stdout")
    # a late answer to the abandoned request is not read by the next one
    lua.kc.input("stale")
    time.sleep(0.3)
    msg_id = lua.kc.execute("return io.read()", allow_stdin=True)
    _input_request(lua)
    lua.kc.input("fresh")
    assert lua.collect(msg_id).result == {"text/plain": "fresh"}


def test_the_time_limit_ends_a_cell_waiting_for_input(jupyter_dir: Path) -> None:
    k = KernelSession("llmspell-stdin-lua-short")
    try:
        msg_id = k.kc.execute("return io.read()", allow_stdin=True)
        _input_request(k)
        cell = k.collect(msg_id)
        assert cell.reply["content"]["ename"] == "LimitExceeded", cell.reply["content"]
        assert "wall-time limit" in cell.reply["content"]["evalue"]
        assert k.execute("1 + 1").result == {"text/plain": "2"}
    finally:
        k.close()
