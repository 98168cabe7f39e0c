"""Length-prefixed JSON messages over a Unix stream socket.

Both sides use this module. Only plain data crosses: dicts, lists, strings, numbers, bools and
None. The grader treats every message from a child as untrusted: it caps the size, and the
callers validate the shape of what they receive before using it.
"""

from __future__ import annotations

import json
import socket
import struct
import time

HEADER = struct.Struct("!I")
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

# Bound at import, before any student code runs in the process, so that rebinding
# `json.dumps` or `socket.socket.sendall` in a notebook cannot change what the child sends.
_dumps = json.dumps
_loads = json.loads
_sendall = socket.socket.sendall


class ProtocolError(Exception):
    """The peer sent something that is not a well-formed message."""


def encode(message: dict) -> bytes:
    data = _dumps(message, allow_nan=True, default=str).encode()
    return HEADER.pack(len(data)) + data


def send(sock: socket.socket, message: dict) -> None:
    _sendall(sock, encode(message))


def decode(data: bytes) -> dict:
    """A whole message received at once (as with file descriptors); ProtocolError if not."""
    if len(data) < HEADER.size or HEADER.unpack(data[: HEADER.size])[0] != len(data) - HEADER.size:
        raise ProtocolError("truncated message")
    return _parse(data[HEADER.size :])


def receive(sock: socket.socket, deadline: float | None = None) -> dict | None:
    """The next message, or None when the peer closed the socket.

    Raises TimeoutError when `deadline` (a `time.monotonic()` value) passes first.
    """
    header = _receive_exactly(sock, HEADER.size, deadline)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes is over the limit")
    body = _receive_exactly(sock, size, deadline)
    return None if body is None else _parse(body)


def _parse(body: bytes) -> dict:
    try:
        message = _loads(body)
    except ValueError as error:
        raise ProtocolError(f"message is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise ProtocolError("message is not a JSON object")
    return message


def _receive_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        try:
            chunk = sock.recv(min(size - len(chunks), 1 << 20))
        except TimeoutError:
            raise TimeoutError from None
        except OSError:  # reset by a dying peer: the same as a close
            return None
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
