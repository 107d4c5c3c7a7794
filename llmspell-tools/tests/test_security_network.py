"""SecurityPolicy.check_url: schemes, allow/deny lists, private addresses, resolution."""

from __future__ import annotations

import socket

import pytest

from llmspell.config import SecuritySettings, load_settings
from llmspell.errors import ConfigurationError, SecurityError, ToolError, ValidationError
from llmspell.security import SecurityPolicy, parse_host_entry

#: names the fake resolver answers (everything else goes to the real resolver)
FAKE_DNS = {
    "public.example.com": ["93.184.216.34"],
    "a.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.0.0.5"],
    "corp.test": ["10.1.2.3"],
    "mixed.test": ["93.184.216.34", "192.168.1.1"],
    "v6.test": ["2606:2800:220:1::1"],
    "mapped.test": ["::ffff:169.254.169.254"],
    "meta.test": ["169.254.169.254"],
    "example.com": ["93.184.216.35"],
}


@pytest.fixture
def fake_dns(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in FAKE_DNS:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port or 0),
                )
                for a in FAKE_DNS[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def net(**kwargs) -> SecurityPolicy:
    return SecurityPolicy(allow_network=True, **kwargs)


# -- URL shape and scheme --------------------------------------------------------------


@pytest.mark.parametrize(
    "url,scheme",
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.com/x", "ftp"),
        ("gopher://127.0.0.1:70/", "gopher"),
        ("javascript:alert(1)", "javascript"),
        ("data:text/plain,hi", "data"),
    ],
)
def test_only_http_and_https(url, scheme):
    with pytest.raises(SecurityError, match=f"scheme '{scheme}' is not allowed"):
        net().check_url(url)


@pytest.mark.parametrize(
    "url,problem",
    [
        ("", "non-empty"),
        ("example.com/path", "no scheme"),
        ("localhost:8080", "no scheme"),
        ("http://", "no host"),
        ("http:///path", "no host"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://exa mple.com\r\nX: y", "control characters"),
    ],
)
def test_malformed_urls(url, problem):
    with pytest.raises(ValidationError, match=problem):
        net().check_url(url)


def test_network_off_names_the_flag():
    with pytest.raises(SecurityError, match="network access is not allowed") as err:
        SecurityPolicy().check_url("https://example.com/")
    assert "--allow-net" in str(err.value) and "LLMSPELL_ALLOW_NETWORK" in str(err.value)


def test_normalisation(fake_dns):
    assert net().check_url("HTTP://Public.Example.COM") == "http://public.example.com/"
    assert net().check_url("https://a.example.com:8443/p?q=1#f") == (
        "https://a.example.com:8443/p?q=1#f"
    )
    checked = net().resolve_url("http://v6.test/x")
    assert (checked.host, checked.port, checked.addresses) == (
        "v6.test",
        80,
        ["2606:2800:220:1::1"],
    )


# -- private addresses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "host,reason",
    [
        ("127.0.0.1", "loopback"),
        ("127.1.2.3", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("[::1]", "loopback"),
        ("[::]", "unspecified"),
        ("[fc00::1]", "private"),
        ("[fd12:3456::1]", "private"),
        ("[fe80::1]", "link-local"),
        ("[ff02::1]", "multicast"),
        ("[::ffff:127.0.0.1]", "loopback (IPv4-mapped 127.0.0.1)"),
        ("[::ffff:169.254.169.254]", "link-local"),
        ("[::ffff:a00:1]", "private (IPv4-mapped 10.0.0.1)"),
        ("[64:ff9b::10.0.0.1]", "embedded in IPv6"),
        ("[2002:a00:1::]", "embedded in IPv6"),
    ],
)
def test_non_public_addresses_denied(host, reason):
    with pytest.raises(SecurityError) as err:
        net().check_url(f"http://{host}/x")
    message = str(err.value)
    assert reason in message
    assert "allow_private_addresses" in message and "allowed_hosts" in message
    # and allowed once private addresses are
    net(allow_private_addresses=True).check_url(f"http://{host}/x")


@pytest.mark.parametrize("host", ["8.8.8.8", "[2001:4860:4860::8888]", "[::ffff:8.8.8.8]"])
def test_public_addresses_allowed(host):
    assert net().check_url(f"https://{host}/") == f"https://{host}/"


def test_names_are_resolved_and_each_address_checked(fake_dns):
    with pytest.raises(SecurityError) as err:
        net().check_url("http://localhost:8080/")
    assert "'localhost' resolves to" in str(err.value) and "loopback" in str(err.value)
    with pytest.raises(SecurityError, match=r"resolves to 127\.0\.0\.1"):
        net().check_url("http://2130706433/")  # decimal form of 127.0.0.1
    with pytest.raises(SecurityError, match=r"resolves to 192\.168\.1\.1.*private"):
        net().check_url("http://mixed.test/")  # one private address is enough
    with pytest.raises(SecurityError, match=r"169\.254\.169\.254"):
        net().check_url("http://mapped.test/")
    assert net().check_url("http://public.example.com/") == "http://public.example.com/"


def test_unresolvable_host_is_a_tool_error():
    with pytest.raises(ToolError, match=r"cannot resolve host 'no-such-host\.invalid'"):
        net().check_url("http://no-such-host.invalid/")


def test_credentials_never_in_messages():
    with pytest.raises(SecurityError) as err:
        net().check_url("http://admin:hunter2@10.0.0.1/path?token=abc123")
    assert "hunter2" not in str(err.value) and "abc123" not in str(err.value)
    with pytest.raises(SecurityError) as err:
        net().check_url("ftp://admin:hunter2@example.com/")
    assert "hunter2" not in str(err.value)


# -- allowed_hosts / denied_hosts ------------------------------------------------------


def test_explicit_allow_entry_is_consent_for_private_addresses(fake_dns):
    assert net(allowed_hosts=["127.0.0.1"]).check_url("http://127.0.0.1:9/") == (
        "http://127.0.0.1:9/"
    )
    assert net(allowed_hosts=["localhost"]).check_url("http://localhost/")
    assert net(allowed_hosts=["10.0.0.0/8"]).check_url("http://10.9.8.7/")
    assert net(allowed_hosts=["10.0.0.0/8"]).check_url("http://corp.test/")  # by its address
    assert net(allowed_hosts=["internal.example.com"]).check_url("http://internal.example.com/")
    assert net(allowed_hosts=["fd00::/8"]).check_url("http://[fd00::1]/")
    assert net(allowed_hosts=["127.0.0.1"]).check_url("http://[::ffff:127.0.0.1]/")


def test_wildcards(fake_dns):
    policy = net(allowed_hosts=["*.example.com"])
    assert policy.check_url("https://a.example.com/")
    assert policy.check_url("https://public.example.com/")
    for bad in ("https://example.com/", "https://evil-example.com/", "https://8.8.8.8/"):
        with pytest.raises(SecurityError, match="not in \\[security\\] allowed_hosts"):
            policy.check_url(bad)
    # a wildcard is not consent: a subdomain that resolves privately stays denied
    with pytest.raises(SecurityError, match=r"resolves to 10\.0\.0\.5.*private"):
        policy.check_url("https://internal.example.com/")


def test_allow_list_denial_names_host_and_flag(fake_dns):
    with pytest.raises(SecurityError) as err:
        net(allowed_hosts=["api.example.org"]).check_url("https://public.example.com/x")
    message = str(err.value)
    assert "'public.example.com'" in message
    assert "--allow-host public.example.com" in message
    with pytest.raises(SecurityError, match="not in"):
        net(allowed_hosts=["10.0.0.0/8"]).check_url("http://11.0.0.1/")
    # with an address entry the name is resolved, and the message says to what
    with pytest.raises(SecurityError, match=r"resolves to 93\.184\.216\.34\) is not in"):
        net(allowed_hosts=["10.0.0.0/8"]).check_url("http://public.example.com/")


def test_denied_hosts_win(fake_dns):
    with pytest.raises(SecurityError, match=r"denied_hosts \(entry 'a\.example\.com'\)"):
        net(allowed_hosts=["*.example.com"], denied_hosts=["a.example.com"]).check_url(
            "http://a.example.com/"
        )
    with pytest.raises(SecurityError, match="denied_hosts"):
        net(denied_hosts=["*.example.com"]).check_url("http://public.example.com/")
    # an address/CIDR entry applies to what a name resolves to
    policy = net(denied_hosts=["10.0.0.0/8"], allow_private_addresses=True)
    with pytest.raises(SecurityError, match=r"resolves to 10\.1\.2\.3, which is denied"):
        policy.check_url("http://corp.test/")
    with pytest.raises(SecurityError, match="denied"):
        policy.check_url("http://10.0.0.1/")
    assert policy.check_url("http://192.168.1.1/")


@pytest.mark.parametrize(
    "entry",
    ["", "http://example.com", "example.com/path", "example.com:8080", "10.0.0.1/8", "a b", "*"],
)
def test_bad_host_entries(entry):
    with pytest.raises(ValueError):
        parse_host_entry(entry)
    with pytest.raises(ConfigurationError, match=r"security\.denied_hosts"):
        load_settings(
            environ={}, use_files=False, overrides={("security", "denied_hosts"): [entry]}
        )


def test_host_entry_forms():
    assert parse_host_entry("*.Example.com").matches_name("a.b.example.com")
    assert not parse_host_entry("*.example.com").matches_name("example.com")
    assert parse_host_entry("[::1]").matches_ip("::1")
    assert parse_host_entry("Bücher.example").matches_name("xn--bcher-kva.example")


# -- settings and rate limit -----------------------------------------------------------


def test_settings_and_env_vars():
    env = {
        "LLMSPELL_MAX_RESPONSE_BYTES": "1000",
        "LLMSPELL_NETWORK_TIMEOUT": "2.5",
        "LLMSPELL_REQUESTS_PER_SECOND_PER_HOST": "0",
        "LLMSPELL_ALLOW_PRIVATE_ADDRESSES": "1",
    }
    settings = load_settings(environ=env, use_files=False)
    policy = SecurityPolicy.from_settings(settings.security)
    assert policy.max_response_bytes == 1000
    assert policy.network_timeout_seconds == 2.5
    assert policy.requests_per_second_per_host == 0
    assert policy.allow_private_addresses is True
    defaults = SecurityPolicy.from_settings(SecuritySettings())
    assert defaults.max_response_bytes == 10 * 1024 * 1024
    assert defaults.network_timeout_seconds == 30
    assert defaults.requests_per_second_per_host == 10
    with pytest.raises(ConfigurationError, match="network_timeout_seconds"):
        load_settings(
            environ={}, use_files=False, overrides={("security", "network_timeout_seconds"): 0}
        )


def test_reserve_request_is_a_token_bucket_per_host():
    policy = net(requests_per_second_per_host=2)
    assert [policy.reserve_request("a") for _ in range(2)] == [0.0, 0.0]
    third = policy.reserve_request("a")
    fourth = policy.reserve_request("A")  # hosts are case-insensitive
    assert 0.4 < third <= 0.5 and 0.9 < fourth <= 1.0
    assert policy.reserve_request("b") == 0.0
    unlimited = net(requests_per_second_per_host=0)
    assert all(unlimited.reserve_request("a") == 0.0 for _ in range(100))
