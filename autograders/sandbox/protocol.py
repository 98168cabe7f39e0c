"""Length-prefixed JSON messages over a Unix stream socket.

Both sides use this module. Only plain data crosses: dicts, lists, strings, numbers, bools and
None. The grader treats every message from a child as untrusted: student code can write any
bytes onto the channel. Whatever arrives either becomes plain data that is safe to handle
(nested at most `MAX_NESTING` deep, integers within 64 bits, text that encodes as UTF-8) or
raises ProtocolError, never anything else; the callers then validate the shape of each message.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Mapping

HEADER = struct.Struct("!I")
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
MAX_NESTING = 64  # the grader's own messages and answers nest about 12 deep
MAX_INTEGER = 2**64  # JSON integers are shapes, lengths and indices: 64 bits are plenty

# Bound at import, before any student code runs in the process, so that rebinding
# `json.dumps` or `socket.socket.sendall` in a notebook cannot change what the child sends.
_dumps = json.dumps
_loads = json.loads
_sendall = socket.socket.sendall


class ProtocolError(Exception):
    """The peer sent something that is not a well-formed message."""


def encode(message: Mapping[str, object]) -> bytes:
    """`message` framed for the socket: its length, then its JSON (any `messages` shape)."""
    data = _dumps(message, allow_nan=True, default=str).encode()
    return HEADER.pack(len(data)) + data


def send(sock: socket.socket, message: Mapping[str, object]) -> None:
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
        message = _loads(body, parse_int=_integer)
    except ProtocolError:
        raise
    except (ValueError, RecursionError, MemoryError) as error:  # invalid text, JSON or nesting
        raise ProtocolError(f"message is not JSON: {type(error).__name__}") from None
    if not isinstance(message, dict):
        raise ProtocolError("message is not a JSON object")
    return _plain(message, 0)


def _integer(text: str) -> int:
    if len(text) > 20 or abs(value := int(text)) > MAX_INTEGER:
        raise ProtocolError("integer out of range")
    return value


def _plain(value, depth: int):
    """`value` with its text made encodable (lone surrogates, which `\\ud800` escapes make,
    would fail every later write of a report); ProtocolError past `MAX_NESTING`."""
    if depth > MAX_NESTING:
        raise ProtocolError(f"message nested deeper than {MAX_NESTING}")
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _encodable(value)
    if kind is list:
        return [item if type(item) in _SCALARS else _plain(item, depth + 1) for item in value]
    if kind is dict:  # keys are text; plain ASCII text and numbers need no walk (most of it)
        return {
            (k if k.isascii() else _encodable(k)): (
                v
                if type(v) in _SCALARS or (type(v) is str and v.isascii())
                else _plain(v, depth + 1)
            )
            for k, v in value.items()
        }
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def _encodable(text: str) -> str:
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode(errors="replace").decode()
    return text


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
