"""The security policy tools run under (DESIGN.md §5).

File access only inside allowed roots (symlinks and ``..`` resolved before the check),
process execution only for allowlisted commands, network only when allowed (and then only
to permitted hosts and, by default, public addresses), and caps on input sizes. Every
denial is a :class:`~llmspell.errors.SecurityError` that names what was denied and the
setting that would allow it, and touches nothing.
"""

from __future__ import annotations

import fnmatch
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.config import SecuritySettings
from llmspell.errors import SecurityError, ToolError, ValidationError

if TYPE_CHECKING:
    import ipaddress

__all__ = [
    "CheckedUrl",
    "HostRule",
    "SecurityPolicy",
    "check_env_allowlist",
    "looks_secret",
    "mask_url_password",
    "parse_host_entry",
]

#: the largest input a tool reads into memory by default (files, text, archives members)
DEFAULT_MAX_INPUT_BYTES = 50 * 1024 * 1024
#: the largest HTTP response body network tools read by default
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
#: the default timeout of one network request, in seconds
DEFAULT_NETWORK_TIMEOUT = 30.0
#: the default request rate per host (0 = unlimited)
DEFAULT_REQUESTS_PER_SECOND = 10.0
#: name fragments (upper-cased) that mark an environment variable as a credential: a
#: spell never reads one (the environment-reader tool redacts the same names)
SECRET_MARKERS = (
    "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "AUTH",
    "PRIVATE", "COOKIE", "SESSION", "SIGNATURE", "CERT", "SALT", "BEARER", "PASS",
)  # fmt: skip
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]+(?P<at>@)")


def mask_url_password(value: str, mask: str = "[REDACTED]") -> str:
    """``value`` with the password of any ``scheme://user:password@`` replaced."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + mask + m["at"], value)


def looks_secret(name: str) -> bool:
    """Whether environment variable ``name`` looks like it holds a credential."""
    upper = name.upper()
    return any(marker in upper for marker in SECRET_MARKERS)


def check_env_allowlist(entries: list[str]) -> None:
    """Raise ValueError for an ``env_allowlist`` entry naming a credential: listing
    ``OPENAI_API_KEY`` would not make ``os.getenv`` return it, so the operator is told at
    load time. Globs (``MYAPP_*``) are accepted; the names they match that look like
    credentials are still never returned."""
    for entry in entries:
        if not entry or "\x00" in entry or "=" in entry:
            raise ValueError(f"{entry!r} is not an environment variable name")
        if not any(c in entry for c in "*?[") and looks_secret(entry):
            raise ValueError(
                f"{entry!r} looks like a credential (its name contains one of "
                f"{', '.join(SECRET_MARKERS)}); spells never read credentials: remove it"
            )


@dataclass
class SecurityPolicy:
    """What tools may touch; built from ``[security]`` and the working directory."""

    allowed_paths: list[Path] = field(default_factory=list)
    allow_network: bool = False
    allowed_hosts: list[str] = field(default_factory=list)
    denied_hosts: list[str] = field(default_factory=list)
    allow_private_addresses: bool = False
    allow_process: bool = False
    allowed_commands: list[str] = field(default_factory=list)
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    cwd: Path = field(default_factory=Path.cwd)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    network_timeout_seconds: float = DEFAULT_NETWORK_TIMEOUT
    requests_per_second_per_host: float = DEFAULT_REQUESTS_PER_SECOND
    #: environment variable names (or globs) a spell may read (Lua's ``os.getenv``)
    env_allowlist: list[str] = field(default_factory=list)
    #: per-host token buckets of :meth:`reserve_request` (host -> [tokens, last time])
    _buckets: dict[str, list[float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _bucket_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @classmethod
    def from_settings(cls, settings: SecuritySettings, cwd: Path | None = None) -> SecurityPolicy:
        """The policy of ``[security]``; relative allowed paths are taken from ``cwd``."""
        base = (cwd or Path.cwd()).resolve()
        roots = [(base / Path(p).expanduser()).resolve() for p in settings.allowed_paths]
        return cls(
            allowed_paths=roots,
            allow_network=settings.allow_network,
            allowed_hosts=list(settings.allowed_hosts),
            denied_hosts=list(settings.denied_hosts),
            allow_private_addresses=settings.allow_private_addresses,
            allow_process=settings.allow_process,
            allowed_commands=list(settings.allowed_commands),
            max_input_bytes=settings.max_input_bytes,
            cwd=base,
            max_response_bytes=settings.max_response_bytes,
            network_timeout_seconds=settings.network_timeout_seconds,
            requests_per_second_per_host=settings.requests_per_second_per_host,
            env_allowlist=list(settings.env_allowlist),
        )

    # -- files -----------------------------------------------------------------------

    def resolve_path(self, path: str | os.PathLike[str], *, what: str = "path") -> Path:
        """The real absolute path of ``path`` (relative to the working directory), with
        symlinks and ``..`` resolved, when it lies inside an allowed root.

        Raises SecurityError otherwise (also for a path whose existing parent is a link
        leading outside). The path itself need not exist.
        """
        raw = os.fspath(path)
        if not raw or "\x00" in raw:
            raise SecurityError(f"invalid {what}: {raw!r}")
        candidate = Path(raw).expanduser()
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        real = candidate.resolve(strict=False)
        for root in self.allowed_paths:
            if real == root or real.is_relative_to(root):
                return real
        roots = ", ".join(str(r) for r in self.allowed_paths) or "none"
        # the message names the path the spell gave, never where links lead: a denial
        # must not map the host (docs/security.md)
        raise SecurityError(
            f"access to {raw!r} is denied: it is outside the allowed paths ({roots})",
            hint="add the directory to [security] allowed_paths in llmspell.toml",
        )

    def check_size(self, size: int, *, what: str) -> None:
        """Raise SecurityError when ``size`` bytes exceed the input cap."""
        if size > self.max_input_bytes:
            raise SecurityError(
                f"{what} is {size} bytes, over the limit of {self.max_input_bytes} bytes",
                hint="process it in parts, or raise [security] max_input_bytes",
            )

    # -- environment -------------------------------------------------------------------

    def getenv(self, name: str) -> str | None:
        """The value of environment variable ``name`` for a spell: None unless
        ``[security] env_allowlist`` lists it (or a glob there matches it) and its name
        does not look like a credential; a password inside a URL value is masked."""
        if not name or not any(fnmatch.fnmatchcase(name, e) for e in self.env_allowlist):
            return None
        if looks_secret(name):
            return None
        value = os.environ.get(name)
        if value is None:
            return None
        return mask_url_password(value)

    # -- processes ---------------------------------------------------------------------

    def resolve_command(self, executable: str) -> str:
        """The full path of an allowlisted command; SecurityError when not allowed."""
        if not self.allow_process:
            raise SecurityError(
                f"running processes is not allowed (asked to run {executable!r})",
                hint="set [security] allow_process = true and list the command in "
                "allowed_commands (or LLMSPELL_ALLOW_PROCESS=1)",
            )
        name = Path(executable).name
        if executable not in self.allowed_commands and name not in self.allowed_commands:
            allowed = ", ".join(self.allowed_commands) or "none"
            raise SecurityError(
                f"command {executable!r} is not in the allowlist (allowed: {allowed})",
                hint="add it to [security] allowed_commands in llmspell.toml",
            )
        import shutil

        found = shutil.which(executable)
        if found is None:
            raise SecurityError(f"command {executable!r} was not found on PATH")
        has_dir = os.sep in executable or bool(os.altsep and os.altsep in executable)
        if has_dir and executable not in self.allowed_commands:
            # only the name is allowlisted: it must be that command as found on PATH, not
            # another file of the same name (./echo that is really /bin/sh)
            import shutil

            on_path = shutil.which(name)
            if on_path is None or os.path.realpath(on_path) != os.path.realpath(found):
                raise SecurityError(
                    f"command {executable!r} is not the allowlisted {name!r} found on PATH",
                    hint="allowlist the full path in [security] allowed_commands to run it",
                )
        return found

    # -- network -----------------------------------------------------------------------

    def check_network(self, what: str) -> None:
        """Raise SecurityError unless network access is allowed."""
        if not self.allow_network:
            raise SecurityError(
                f"network access is not allowed ({what})",
                hint="set [security] allow_network = true, LLMSPELL_ALLOW_NETWORK=1 "
                "or pass --allow-net",
            )

    def check_url(self, url: str, *, what: str = "url") -> str:
        """The normalised ``url`` when a network tool may fetch it.

        Only http and https; network access must be allowed; the host must not match
        ``denied_hosts`` and, when ``allowed_hosts`` is set, must match it; every address
        the host resolves to must be public unless ``allow_private_addresses`` is set or
        the host (or its address/CIDR) is listed explicitly in ``allowed_hosts``.
        Raises ValidationError (malformed URL), SecurityError (denied) or ToolError (the
        host does not resolve).
        """
        return self.resolve_url(url, what=what).url

    def resolve_url(self, url: str, *, what: str = "url") -> CheckedUrl:
        """:meth:`check_url` that also returns the checked addresses (for pinning the
        connection to them, so a DNS answer that changes later is not trusted)."""
        parsed = _parse_url(url, what)
        shown = _display_url(parsed)
        self.check_network(f"{what} {shown}")
        host = parsed.host
        literal = _ip_or_none(host)
        denied = [parse_host_entry(e) for e in self.denied_hosts]
        allowed = [parse_host_entry(e) for e in self.allowed_hosts]
        for rule in denied:
            if rule.matches_name(host) or (literal is not None and rule.matches_ip(literal)):
                raise SecurityError(
                    f"{what} {shown}: host {host!r} is denied by [security] denied_hosts "
                    f"(entry {rule.entry!r})",
                    hint="remove the entry from denied_hosts to allow it",
                )
        named = any(r.matches_name(host) for r in allowed)
        explicit_name = any(r.matches_name(host) and not r.wildcard for r in allowed)
        by_network = any(r.network is not None for r in allowed)
        # not allowed by name, and no address entry could allow it: deny without even
        # resolving the name
        if (
            allowed
            and not named
            and (literal is not None or not by_network)
            and (literal is None or not any(r.matches_ip(literal) for r in allowed))
        ):
            raise self._not_allowed(what, shown, host, None)
        addresses = [literal] if literal is not None else _resolve(host, parsed.port, what, shown)
        for addr in addresses:
            for rule in denied:
                if rule.matches_ip(addr):
                    raise SecurityError(
                        f"{what} {shown}: host {host!r} resolves to {addr}, which is denied "
                        f"by [security] denied_hosts (entry {rule.entry!r})",
                        hint="remove the entry from denied_hosts to allow it",
                    )
        if allowed and not named:
            by_ip = all(any(r.matches_ip(a) for r in allowed) for a in addresses)
            if not by_ip:
                raise self._not_allowed(
                    what, shown, host, None if literal is not None else addresses[0]
                )
        if not self.allow_private_addresses and not explicit_name:
            for addr in addresses:
                reason = _blocked_reason(addr)
                if reason is None or any(r.matches_ip(addr) for r in allowed):
                    continue
                via = "is" if literal is not None else f"resolves to {addr}, which is"
                article = "an" if reason[0] in "aeiou" else "a"
                raise SecurityError(
                    f"{what} {shown}: host {host!r} {via} {article} {reason} address; network "
                    "tools may only reach public addresses",
                    hint="set [security] allow_private_addresses = true, or list the host "
                    f"(or its address or CIDR) in [security] allowed_hosts "
                    f"(--allow-host {host})",
                )
        return CheckedUrl(
            url=parsed.normalised, host=host, port=parsed.port, addresses=list(addresses)
        )

    def _not_allowed(self, what: str, shown: str, host: str, address: str | None) -> SecurityError:
        listed = ", ".join(self.allowed_hosts)
        resolved = f" (resolves to {address})" if address else ""
        return SecurityError(
            f"{what} {shown}: host {host!r}{resolved} is not in [security] allowed_hosts "
            f"({listed})",
            hint=f"add it to [security] allowed_hosts or pass --allow-host {host}",
        )

    def reserve_request(self, host: str) -> float:
        """Take a slot in ``host``'s token bucket; the seconds to wait before sending.

        The bucket holds ``requests_per_second_per_host`` tokens and refills at that
        rate; a request arriving on an empty bucket reserves the next token (so callers
        wait their turn instead of failing). 0 means unlimited.
        """
        rate = self.requests_per_second_per_host
        if rate <= 0:
            return 0.0
        key = host.lower()
        with self._bucket_lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(key, [rate, now])
            tokens = min(rate, tokens + (now - last) * rate) - 1.0
            self._buckets[key] = [tokens, now]
        return 0.0 if tokens >= 0 else -tokens / rate


# -- network helpers --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUrl:
    """A URL the policy allowed, with the addresses its host resolved to."""

    url: str
    host: str
    port: int
    addresses: list[str]


@dataclass(frozen=True)
class HostRule:
    """One ``allowed_hosts``/``denied_hosts`` entry: a host name, a ``*.suffix``
    wildcard, or an IP address/CIDR network."""

    entry: str
    name: str | None = None
    wildcard: bool = False
    network: Any = None  # ipaddress.IPv4Network | IPv6Network

    def matches_name(self, host: str) -> bool:
        """Whether the (lower-case, IDNA) host name matches this entry."""
        if self.name is None:
            return False
        if self.wildcard:
            return host.endswith("." + self.name)
        return host == self.name

    def matches_ip(self, address: str) -> bool:
        """Whether ``address`` lies in this entry's network (IPv4-mapped IPv6 included)."""
        if self.network is None:
            return False
        ip = _ip_or_none(address)
        if ip is None:
            return False
        parsed = _ip(ip)
        if parsed in self.network:
            return True
        mapped = getattr(parsed, "ipv4_mapped", None)
        return mapped is not None and mapped in self.network


def parse_host_entry(entry: str) -> HostRule:
    """Parse an allowed/denied host entry; ValueError (naming the entry) when malformed.

    Forms: ``example.com`` (exactly that host), ``*.example.com`` (any subdomain, not
    ``example.com`` itself), ``10.0.0.1``, ``::1`` or ``[::1]``, ``10.0.0.0/8``.
    """
    import ipaddress

    raw = entry.strip().lower()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    if not raw:
        raise ValueError("an empty host entry")
    if "://" in raw:
        raise ValueError(f"{entry!r} is a URL; list just the host name (no scheme or path)")
    if "/" in raw:
        try:
            return HostRule(entry, network=ipaddress.ip_network(raw, strict=True))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not a valid CIDR network ({exc})") from None
    try:
        return HostRule(entry, network=ipaddress.ip_network(raw))
    except ValueError:
        pass
    wildcard = raw.startswith("*.")
    name = raw[2:] if wildcard else raw
    if ":" in name or "/" in name or "*" in name or any(c.isspace() for c in name):
        raise ValueError(
            f"{entry!r} is not a host name, '*.domain' wildcard, IP address or CIDR "
            "(no scheme, port or path)"
        )
    return HostRule(entry, name=_idna(name.rstrip(".")), wildcard=wildcard)


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str
    port: int
    normalised: str
    shown_netloc: str
    path: str


def _parse_url(url: Any, what: str) -> _Url:
    from urllib.parse import urlsplit, urlunsplit

    if not isinstance(url, str) or not url.strip():
        raise ValidationError(f"{what} must be a non-empty URL string (got {url!r})")
    text = url.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        raise ValidationError(f"{what} {text!r} contains control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(f"{what} {text!r} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    # "example.com:8080/x" parses as scheme "example.com": really a missing scheme
    hostlike = "://" not in text and parts.path.split("/", 1)[0].isdigit()
    if not scheme or hostlike:
        raise ValidationError(
            f"{what} {text!r} has no scheme; write it as http://... or https://..."
        )
    if scheme not in ("http", "https"):
        raise SecurityError(
            f"{what} {_strip_userinfo(text)!r}: scheme {scheme!r} is not allowed; network "
            "tools fetch only http and https URLs"
        )
    host = parts.hostname or ""
    if not host:
        raise ValidationError(f"{what} {_strip_userinfo(text)!r} has no host")
    host = _idna(host.rstrip(".")) if _ip_or_none(host) is None else host.lower()
    if not host:
        raise ValidationError(f"{what} {_strip_userinfo(text)!r} has no host")
    netloc_host = f"[{host}]" if ":" in host else host
    netloc = netloc_host if port is None else f"{netloc_host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    full_netloc = f"{userinfo}@{netloc}" if "@" in parts.netloc else netloc
    normalised = urlunsplit((scheme, full_netloc, parts.path or "/", parts.query, parts.fragment))
    default_port = 443 if scheme == "https" else 80
    return _Url(
        scheme=scheme,
        host=host,
        port=port if port is not None else default_port,
        normalised=normalised,
        shown_netloc=netloc,
        path=parts.path or "/",
    )


def _display_url(parsed: _Url) -> str:
    """The URL for messages: scheme, host, port and path only (no credentials, query)."""
    return f"{parsed.scheme}://{parsed.shown_netloc}{parsed.path}"


def _strip_userinfo(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    netloc, slash, tail = rest.partition("/")
    return f"{scheme}://{netloc.rpartition('@')[2]}{slash}{tail}"


def _idna(host: str) -> str:
    lowered = host.lower()
    if lowered.isascii():
        return lowered
    try:
        return lowered.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(f"host {host!r} is not a valid domain name: {exc}") from None


def _ip_or_none(host: str) -> str | None:
    """``host`` as a canonical IP address string, or None when it is a name."""
    import ipaddress

    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(candidate.split("%", 1)[0]))
    except ValueError:
        return None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    import ipaddress

    return ipaddress.ip_address(address)


def _resolve(host: str, port: int, what: str, shown: str) -> list[str]:
    """The addresses ``host`` resolves to (getaddrinfo), in the resolver's order."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ToolError(
            f"{what} {shown}: cannot resolve host {host!r}: {reason}",
            hint="check the host name and your DNS/network connection",
        ) from None
    addresses: list[str] = []
    for info in infos:
        address = _ip_or_none(str(info[4][0]))
        if address is not None and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ToolError(f"{what} {shown}: host {host!r} resolved to no address")
    return addresses


_CGNAT = "100.64.0.0/10"
_NAT64 = "64:ff9b::/96"


def _blocked_reason(address: str) -> str | None:
    """Why ``address`` is not a public address (None when it is public)."""
    import ipaddress

    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network(_NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and int(ip) >> 32 == 0 and int(ip) > 1:
            embedded = ipaddress.IPv4Address(int(ip))  # deprecated IPv4-compatible ::a.b.c.d
        if embedded is not None:
            inner = _blocked_reason(str(embedded))
            if ip.ipv4_mapped is not None:
                return None if inner is None else f"{inner} (IPv4-mapped {embedded})"
            if inner is not None:
                return f"{inner} (IPv4 {embedded} embedded in IPv6)"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local (cloud metadata services live here)"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network(_CGNAT):
        return "shared (CGNAT 100.64.0.0/10)"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None
