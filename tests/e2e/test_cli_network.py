"""``--allow-net`` and ``--allow-host`` on ``run``, ``exec`` and ``tool invoke``: the
network policy is off by default and the flags turn it on (real subprocess runs)."""

from __future__ import annotations

import json


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
