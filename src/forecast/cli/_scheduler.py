"""Connecting to a dask scheduler within one deadline (private; ``--scheduler``).

``distributed.Client(address)`` pointed at something that is not a dask scheduler can
hang for minutes (an HTTP server, such as the dashboard on port 8787, never answers the
binary handshake) or read text as a frame length and try to allocate exabytes. Two
steps keep it to one deadline (``--scheduler-timeout``, default 30 s) and one clear line:

1. for ``tcp://`` addresses, a raw probe: a dask scheduler sends its handshake as soon
   as a connection opens, starting with an 8-byte little-endian message length; nothing
   within the deadline, a closed connection or an implausible length means "not a dask
   scheduler";
2. the client itself connects in a helper thread that is abandoned (a daemon) if the
   deadline passes, and any exception it raises becomes the same kind of message.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Any

from .._optional import require
from ..errors import ParameterError

__all__ = ["DEFAULT_PORT", "connect"]

DEFAULT_PORT = 8786
_FIX = ("Pass the address of a running dask scheduler (started with `dask scheduler`, "
        f"default port {DEFAULT_PORT}; not the dashboard, 8787), or use --workers N")


def _fail(address: str, why: str) -> ParameterError:
    return ParameterError(f"--scheduler must be the address of a dask scheduler; {address!r} "
                          f"{why}. {_FIX}.")


def tcp_endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a tcp address ("tcp://h:p", "h:p", "h"); None for other protocols."""
    rest = address.strip()
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
        if scheme != "tcp":
            return None
    rest = rest.rstrip("/")
    if rest.startswith("["):  # [IPv6]:port
        host, _, tail = rest[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
    else:
        host, port_text = rest, ""
    if not host:
        raise _fail(address, "has no host name")
    if port_text == "":
        return host, DEFAULT_PORT
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise _fail(address, f"has the port {port_text!r}, not a number in 1..65535")
    return host, int(port_text)


def _probe(address: str, host: str, port: int, deadline: float, timeout: float) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=max(0.1, deadline -
                                                                  time.monotonic()))
    except TimeoutError:
        raise _fail(address, f"did not accept a connection within {timeout:g} s") from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise _fail(address, f"cannot be reached ({why.lower()})") from None
    with sock:
        head = b""
        try:
            while len(head) < 8:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    raise _fail(address, "closed the connection without a dask handshake")
                head += chunk
        except TimeoutError:
            raise _fail(address, f"accepted the connection but sent no dask handshake within "
                                 f"{timeout:g} s (an HTTP server or the dashboard?)") from None
        except OSError as exc:
            raise _fail(address, f"broke the connection ({exc.strerror or exc})") from None
    (length,) = struct.unpack("<Q", head)
    if not 8 <= length <= 64 * 2**20:  # a handshake is a few hundred bytes
        raise _fail(address, "answered with something that is not a dask handshake")


def connect(address: Any, timeout: float) -> Any:
    """A ``dask.distributed.Client`` for `address`, connected within `timeout` seconds.

    Raises
    ------
    ParameterError
        One line naming the address, what was expected and the fix.
    """
    distributed = require("dask.distributed", "dask", "--scheduler")
    address = str(address)
    deadline = time.monotonic() + timeout
    endpoint = tcp_endpoint(address)
    if endpoint is not None:
        _probe(address, *endpoint, deadline, timeout)
    box: dict[str, Any] = {}

    def make() -> None:
        try:
            box["client"] = distributed.Client(
                address, timeout=f"{max(1.0, deadline - time.monotonic()):.1f}s")
        except BaseException as exc:  # reported below, whatever it is
            box["error"] = exc

    helper = threading.Thread(target=make, name="forecast-dask-connect", daemon=True)
    helper.start()
    helper.join(max(0.0, deadline - time.monotonic()) + 1.0)
    if helper.is_alive():
        raise _fail(address, f"did not complete the dask handshake within {timeout:g} s")
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, KeyboardInterrupt):
            raise exc
        text = " ".join(str(exc).split())[:160]
        raise _fail(address, f"could not be connected to ({type(exc).__name__}: {text})")
    return box["client"]
