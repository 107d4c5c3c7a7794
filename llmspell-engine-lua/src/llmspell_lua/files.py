"""Lua's ``io`` library on the host's file policy: the files a spell opens with
``io.open`` / ``io.lines``, and ``io.read`` on standard input.

Every path goes through :meth:`SecurityPolicy.resolve_path` (``[security] allowed_paths``,
symlinks and ``..`` resolved first; a denial names the path the spell gave). Only
regular files are opened (a FIFO or a device would block or never end). What one read
returns is capped by ``[security] max_input_bytes`` and sized against the Lua memory
left before it is built; a file written through a handle may not grow past
``max_input_bytes`` either. Data crosses as bytes: Lua strings are byte strings.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from llmspell.errors import SecurityError, ValidationError
from llmspell_lua.stdin import StdinReader

if TYPE_CHECKING:
    from llmspell_lua.engine import LuaEngine

__all__ = ["LuaFiles", "OpenFile"]

#: files one run may hold open at once (each is a host file descriptor)
MAX_OPEN_FILES = 64
#: the longest numeral ``read("n")`` reads (Lua's own limit is 200)
MAX_NUMERAL = 200
#: the most whitespace ``read("n")`` skips before giving up
MAX_INPUT_WHITESPACE = 1 << 20
_MODES = re.compile(r"^[rwa]\+?b?$")
_NUMERAL = re.compile(
    rb"[+-]?(0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?"
    rb"|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)"
)


@dataclass
class OpenFile:
    """One file a spell opened: the host file object and what it may do."""

    fh: IO[bytes]
    shown: str
    readable: bool
    writable: bool
    append: bool


class LuaFiles:
    """The host side of the prelude's ``io`` library for one run."""

    def __init__(self, engine: LuaEngine) -> None:
        self.engine = engine
        self.files: dict[int, OpenFile] = {}
        self._next = 1
        self._stdin: Any = None

    # -- opening and closing -----------------------------------------------------------

    def open(self, path: Any, mode: Any) -> tuple[Any, ...]:
        """``io.open(path, mode)``: ``(True, id)``, or ``(False, message)`` for a file
        that cannot be opened (Lua's ``nil, message``). A bad mode raises."""
        if not isinstance(path, str):
            raise ValidationError(f"io.open: the path must be a string, got {type(path).__name__}")
        mode = "r" if mode is None else mode
        if not isinstance(mode, str) or not _MODES.match(mode):
            raise ValidationError(
                f"io.open: invalid mode {mode!r} (use r, w or a, optionally with + and b)"
            )
        if len(self.files) >= MAX_OPEN_FILES:
            raise ValidationError(
                f"io.open: {MAX_OPEN_FILES} files are open already; close some first"
            )
        policy = self.engine.session.policy
        try:
            real = policy.resolve_path(path, what="path")
        except SecurityError as exc:
            return False, exc.script_message()
        kind = mode[0]
        plus = "+" in mode
        flags = {"r": os.O_RDONLY, "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                 "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND}[kind]  # fmt: skip
        if plus:
            flags = (flags & ~(os.O_RDONLY | os.O_WRONLY)) | os.O_RDWR
        flags |= os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            if kind != "r":  # never truncate or append to what is not a regular file
                try:
                    st = os.stat(real)
                except FileNotFoundError:
                    st = None
                if st is not None and not stat.S_ISREG(st.st_mode):
                    return False, f"{path}: not a regular file"
            fd = os.open(real, flags, 0o666)
        except OSError as exc:
            return False, f"{path}: {exc.strerror or exc}"
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                return False, f"{path}: not a regular file"
            os.set_blocking(fd, True)
            pymode = "r+b" if plus else {"r": "rb", "w": "wb", "a": "ab"}[kind]
            fh = os.fdopen(fd, pymode)
        except OSError as exc:
            os.close(fd)
            return False, f"{path}: {exc.strerror or exc}"
        fid = self._next
        self._next += 1
        self.files[fid] = OpenFile(
            fh, path, readable=kind == "r" or plus, writable=kind != "r" or plus, append=kind == "a"
        )
        return True, fid

    def close(self, fid: int) -> None:
        """``file:close()``."""
        f = self.files.pop(fid, None)
        if f is not None:
            f.fh.close()

    def close_all(self) -> None:
        """Close every file the run left open (the run ended)."""
        for fid in list(self.files):
            self.close(fid)

    def _file(self, fid: Any) -> OpenFile:
        f = self.files.get(fid) if isinstance(fid, int) else None
        if f is None:
            raise ValidationError("attempt to use a closed file")
        return f

    # -- reading ---------------------------------------------------------------------

    def read(self, fid: Any, fmt: Any) -> Any:
        """One ``file:read`` format: the bytes (or number) read, or None at the end."""
        f = self._file(fid)
        if not f.readable:
            raise ValidationError(f"{f.shown}: the file is not open for reading (mode 'w'/'a')")
        return self._read(f.fh, fmt, f.shown)

    def read_stdin(self, fmt: Any) -> Any:
        """``io.read(fmt)``: one format read from the process's standard input (waiting
        for it with the run's deadline checked; see :mod:`llmspell_lua.stdin`)."""
        if self._stdin is None:
            try:
                fd = sys.stdin.fileno()
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
                fd = None  # replaced by something without a descriptor (tests, embedders)
            if fd is not None:
                self._stdin = StdinReader(self.engine.session, fd)
            else:
                self._stdin = getattr(sys.stdin, "buffer", None)
            if self._stdin is None:
                return None
        return self._read(self._stdin, fmt, "stdin")

    def _read(self, fh: IO[bytes], fmt: Any, shown: str) -> Any:
        cap = self.engine.session.policy.max_input_bytes
        if isinstance(fmt, float) and fmt.is_integer():
            fmt = int(fmt)
        if isinstance(fmt, int):
            if fmt < 0:
                raise ValidationError(f"io read: a byte count must not be negative (got {fmt})")
            self._check(fmt, cap, f"a read of {fmt} bytes from {shown}")
            data = fh.read(fmt)
            if not data and fmt > 0:
                return None
            if fmt == 0:
                return b"" if _more(fh) else None
            return self._deliver(data, shown)
        if not isinstance(fmt, str):
            raise ValidationError(
                f"io read: invalid format {fmt!r} (use 'l', 'L', 'n', 'a' or a count)"
            )
        code = fmt.lstrip("*")[:1]
        if code in ("l", "L"):
            line = fh.readline(cap + 1)
            if not line:
                return None
            if len(line) > cap:
                self._check(len(line), cap, f"a line of {shown}")
            if code == "l" and line.endswith(b"\n"):
                line = line[:-1]
            return self._deliver(line, shown)
        if code == "a":
            data = self._read_all(fh, cap, shown)
            return self._deliver(data, shown)
        if code == "n":
            return _read_number(fh)
        raise ValidationError(
            f"io read: invalid format {fmt!r} (use 'l', 'L', 'n', 'a' or a count)"
        )

    def _read_all(self, fh: IO[bytes], cap: int, shown: str) -> bytes:
        try:
            st = os.fstat(fh.fileno())
            left = st.st_size - fh.tell() if stat.S_ISREG(st.st_mode) else None
        except (OSError, io.UnsupportedOperation, ValueError, AttributeError):
            left = None
        if left is not None:  # a regular file: refused before anything is read
            self._check(left, cap, f"the rest of {shown}")
        data = fh.read(cap + 1)
        self._check(len(data), cap, f"the rest of {shown}")
        return data

    def _check(self, size: int, cap: int, what: str) -> None:
        if size > cap:
            raise SecurityError(
                f"{what} is over the limit of {cap} bytes ({size} bytes)",
                hint="read it in parts (file:read(n) or file:lines()), or raise "
                "[security] max_input_bytes",
            )
        self.engine.session.check_host_bytes(size, what)

    def _deliver(self, data: bytes, shown: str) -> Any:
        """``data`` for Lua, sized against the memory left first."""
        return self.engine.marshal.guarded_bytes(data, f"reading {shown}")

    # -- writing and seeking -----------------------------------------------------------

    def write(self, fid: Any, data: Any, latin1: bool) -> None:
        """``file:write(s)``: ``latin1`` marks a string the prelude re-encoded (bytes
        that are not UTF-8 cross as code points 0-255)."""
        f = self._file(fid)
        if not f.writable:
            raise ValidationError(f"{f.shown}: the file is not open for writing (mode 'r')")
        raw = _to_bytes(data, latin1)
        cap = self.engine.session.policy.max_input_bytes
        f.fh.flush()
        size = os.fstat(f.fh.fileno()).st_size
        end = size + len(raw) if f.append else max(size, f.fh.tell() + len(raw))
        if end > cap:
            raise SecurityError(
                f"writing {len(raw)} bytes would make {f.shown} {end} bytes, "
                f"over the limit of {cap} bytes",
                hint="raise [security] max_input_bytes",
            )
        f.fh.write(raw)

    def seek(self, fid: Any, whence: Any, offset: Any) -> int:
        """``file:seek(whence, offset)``: the new position."""
        f = self._file(fid)
        where = {"set": os.SEEK_SET, "cur": os.SEEK_CUR, "end": os.SEEK_END}.get(whence)
        if where is None:
            raise ValidationError(
                f"file:seek: invalid option {whence!r} (use 'set', 'cur' or 'end')"
            )
        if isinstance(offset, float) and offset.is_integer():
            offset = int(offset)
        if not isinstance(offset, int):
            raise ValidationError("file:seek: the offset must be an integer")
        try:
            return f.fh.seek(offset, where)
        except (OSError, ValueError) as exc:
            raise ValidationError(f"file:seek: {exc}") from None

    def write_stream(self, stream: str, data: Any, latin1: bool) -> None:
        """``io.write`` / ``io.stderr:write``: text to the run's output."""
        raw = _to_bytes(data, latin1)
        self.engine.session.output.write(raw.decode("utf-8", "replace"), stream)


def _to_bytes(data: Any, latin1: bool) -> bytes:
    if isinstance(data, bytes):
        return data
    if not isinstance(data, str):
        raise ValidationError(f"io write: expected a string, got {type(data).__name__}")
    return data.encode("latin-1") if latin1 else data.encode("utf-8", "surrogateescape")


def _peek(fh: IO[bytes]) -> bytes:
    """The next byte without consuming it (b"" at the end)."""
    peek = getattr(fh, "peek", None)
    if peek is not None:
        return bytes(peek(1)[:1])
    pos = fh.tell()
    c = fh.read(1)
    fh.seek(pos)
    return c


def _more(fh: IO[bytes]) -> bool:
    """Whether a read would return anything (``read(0)`` at the end is nil)."""
    try:
        return bool(_peek(fh))
    except (OSError, ValueError, io.UnsupportedOperation):
        return True


def _read_number(fh: IO[bytes]) -> Any:
    """``read("n")``: a numeral after optional whitespace (Lua's syntax), or None."""
    skipped = 0
    while (c := _peek(fh)) and c in b" \t\r\n\f\v" and skipped < MAX_INPUT_WHITESPACE:
        fh.read(1)
        skipped += 1
    buf = bytearray()
    while (c := _peek(fh)) and len(buf) < MAX_NUMERAL and c in b"0123456789abcdefABCDEFxXpP.+-":
        buf += fh.read(1)
    text = bytes(buf)
    m = _NUMERAL.fullmatch(text)
    if not m:
        return None
    s = text.decode("ascii")
    try:
        if "0x" in s or "0X" in s:
            if "." in s or "p" in s or "P" in s:
                return float.fromhex(s)
            return int(s, 16)
        if any(ch in s for ch in ".eE"):
            return float(s)
        return int(s)
    except ValueError:
        return None
