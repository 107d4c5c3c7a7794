"""The standard ``jupyter_kernel_test`` suite against the llmspell kernel, one class
per engine: kernel_info, stdout and stderr streams, execute_result, errors, completion,
is_complete, inspect and history (tail, range, search), every message checked against
the v5 message spec. The kernel is started from a spec installed by ``llmspell kernel
install`` in a temporary Jupyter path."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar

import jupyter_kernel_test

from tests.e2e.kernel_support import install_spec, jupyter_env


class _Installed(jupyter_kernel_test.KernelTests):
    """Installs the spec of ``engine`` before the suite starts its kernel."""

    __test__ = False  # a base, not a suite of its own
    engine: ClassVar[str] = ""
    _stack: ClassVar[ExitStack]

    @classmethod
    def setUpClass(cls) -> None:
        cls._stack = ExitStack()
        prefix = Path(tempfile.mkdtemp(prefix="llmspell-kernel-spec-"))
        cls._stack.callback(shutil.rmtree, prefix, True)
        data = install_spec(prefix, cls.engine, cls.kernel_name)
        cls._stack.enter_context(jupyter_env(data))
        try:
            super().setUpClass()
        except BaseException:
            cls._stack.close()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._stack.close()


class TestLuaKernel(_Installed):
    """The Lua kernel."""

    __test__ = True
    engine = "lua"
    kernel_name = "llmspell-conformance-lua"
    language_name = "lua"
    file_extension = ".lua"
    code_hello_world = 'print("hello, world")'
    code_stderr = 'io.stderr:write("oops\\n")'
    code_generate_error = "error('deliberate')"
    code_execute_result: ClassVar[list[dict[str, Any]]] = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a' .. 'b'", "result": "ab"},
        {"code": "{1, 2}", "mime": "application/json", "result": [1, 2]},
    ]
    completion_samples: ClassVar[list[dict[str, Any]]] = [
        {"text": "Stat", "matches": {"State"}},
        {"text": "JSON.str", "matches": {"stringify"}},
    ]
    complete_code_samples: ClassVar[list[str]] = ["x = 1", "print('hi')", "local t = {}"]
    incomplete_code_samples: ClassVar[list[str]] = ["function f()", "t = {", "if x then"]
    invalid_code_samples: ClassVar[list[str]] = ["x = = 1", "end end", "local 1 = 2"]
    code_inspect_sample = "State.save"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 ?*"


class TestJavaScriptKernel(_Installed):
    """The JavaScript kernel."""

    __test__ = True
    engine = "js"
    kernel_name = "llmspell-conformance-js"
    language_name = "javascript"
    file_extension = ".js"
    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    code_generate_error = "throw new Error('deliberate')"
    code_execute_result: ClassVar[list[dict[str, Any]]] = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a' + 'b'", "result": "ab"},
        {"code": "({a: [1]})", "mime": "application/json", "result": {"a": [1]}},
    ]
    completion_samples: ClassVar[list[dict[str, Any]]] = [
        {"text": "Stat", "matches": {"State"}},
        {"text": "State.getM", "matches": {"getMigrationStatus"}},
    ]
    complete_code_samples: ClassVar[list[str]] = ["let x = 1", "f(1)", "const s = `a${1}b`"]
    incomplete_code_samples: ClassVar[list[str]] = ["function f() {", "g(1,", "`open"]
    invalid_code_samples: ClassVar[list[str]] = ["f(1))", "'open", "]"]
    code_inspect_sample = "State.listKeys"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 ?*"
