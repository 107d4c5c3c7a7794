"""``--allow-net`` and ``--allow-host`` on ``run``, ``exec`` and ``tool invoke``: the
network policy is off by default and the flags turn it on (real subprocess runs)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def test_network_is_off_by_default_and_allow_net_turns_it_on(cli):
    code = "return Config.is_network_access_allowed()"
    off = cli("exec", code)
    assert off.returncode == 0, cli.explain(off)
    assert off.stdout.strip() == "false"
    on = cli("exec", code, "--allow-net")
    assert on.returncode == 0, cli.explain(on)
    assert on.stdout.strip() == "true"


def test_allow_host_appends_to_the_file_and_implies_allow_net(cli):
    cli.write("llmspell.toml", '[security]\nallowed_hosts = ["api.example.com"]\n')
    spell = cli.write(
        "hosts.lua",
        "return {net = Config.is_network_access_allowed(), "
        'hosts = Config.get("security.allowed_hosts")}',
    )
    proc = cli("run", str(spell), "--allow-host", "127.0.0.1", "--allow-host", "*.internal.test")
    assert proc.returncode == 0, cli.explain(proc)
    out = json.loads(proc.stdout)
    assert out == {"net": True, "hosts": ["api.example.com", "127.0.0.1", "*.internal.test"]}


def test_a_malformed_allow_host_is_a_usage_error(cli):
    for bad in ("http://example.com/", "10.0.0.1/8", "example.com:8080"):
        proc = cli("exec", "return 1", "--allow-host", bad)
        assert proc.returncode == 2, cli.explain(proc)
        assert "security.allowed_hosts" in proc.stderr and repr(bad) in proc.stderr


@pytest.fixture
def local_server():
    """A JSON server on 127.0.0.1 (stdlib, daemon thread), stopped at teardown."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"path": self.path, "ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SPELL = """
local r = Tool.execute("http-requester", {input = ARGS[1] .. "/hello"})
return r.result.json
"""


def test_http_requester_needs_the_flags(cli, local_server):
    spell = cli.write("get.lua", SPELL)
    denied = cli("run", str(spell), "--", local_server)
    assert denied.returncode == 1, cli.explain(denied)
    assert "SecurityError: network access is not allowed" in denied.stderr
    assert "--allow-net" in denied.stderr
    # the network alone is not enough for a loopback address
    private = cli("run", str(spell), "--allow-net", "--", local_server)
    assert private.returncode == 1, cli.explain(private)
    assert "loopback address" in private.stderr and "allow_private_addresses" in private.stderr
    allowed = cli("run", str(spell), "--allow-host", "127.0.0.1", "--", local_server)
    assert allowed.returncode == 0, cli.explain(allowed)
    assert json.loads(allowed.stdout) == {"ok": True, "path": "/hello"}


def test_tool_invoke_with_allow_host(cli, local_server):
    params = json.dumps({"input": local_server + "/x"})
    denied = cli("tool", "invoke", "http-requester", "--params", params)
    assert denied.returncode == 1 and "SecurityError" in denied.stderr, cli.explain(denied)
    ok = cli("tool", "invoke", "http-requester", "--allow-host", "127.0.0.1", "--params", params)
    assert ok.returncode == 0, cli.explain(ok)
    assert json.loads(ok.stdout)["result"]["json"] == {"ok": True, "path": "/x"}
