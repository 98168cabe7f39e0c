"""The channel's decoder on anything a child could send: a message or ProtocolError, nothing else.

Student code can write any bytes onto its channel to the grader. Whatever the decoder returns
must be safe for the grader to handle (nesting bounded, integers within 64 bits, text that
encodes as UTF-8); whatever it refuses must be refused as ProtocolError, which costs only the
question being asked, never a grader error for the whole student.
"""

from __future__ import annotations

import json
import math
import socket
import time

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograders.cell_outputs import notebook_outputs
from autograders.sandbox import images, messages, protocol
from autograders.sandbox.protocol import HEADER, MAX_NESTING, ProtocolError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
plain = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def frame(body: bytes) -> bytes:
    return HEADER.pack(len(body)) + body


def assert_safe(message: object, depth: int = 0) -> None:
    """What the grader may receive: JSON-like, bounded, every text encodable as UTF-8."""
    assert depth <= MAX_NESTING + 1
    if isinstance(message, str):
        message.encode()
    elif isinstance(message, bool) or message is None or isinstance(message, float):
        pass
    elif isinstance(message, int):
        assert abs(message) <= protocol.MAX_INTEGER
    elif isinstance(message, list):
        for item in message:
            assert_safe(item, depth + 1)
    else:
        assert isinstance(message, dict), type(message)
        for key, value in message.items():
            key.encode()
            assert_safe(value, depth + 1)


def decoded(data: bytes) -> dict | None:
    """The decoder's message, None for a ProtocolError; any other exception fails the test."""
    try:
        message = protocol.decode(data)
    except ProtocolError:
        return None
    assert isinstance(message, dict)
    assert_safe(message)
    json.dumps(message).encode()  # can be written into a report
    return message


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_decode_to_a_safe_message_or_a_protocol_error(body: bytes) -> None:
    decoded(frame(body))
    decoded(body)  # with whatever header the bytes happen to start with


@SETTINGS
@given(st.dictionaries(st.text(), plain, max_size=5))
def test_plain_messages_survive_the_round_trip(message: dict) -> None:
    """Every JSON object the grader's own side could send comes back equal (or refused only
    for what the limits refuse: out-of-range integers)."""
    got = decoded(protocol.encode(message))
    if got is None:
        assert "out of range" in repr(_refusal(protocol.encode(message)))
        return
    assert _same(got, json.loads(json.dumps(message), parse_constant=float)), (message, got)


def _refusal(data: bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        protocol.decode(data)
    return caught.value


def _same(left: object, right: object) -> bool:
    """Equality where NaN equals NaN and text compares after making it encodable."""
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if isinstance(right, str):
        return left == right.encode(errors="replace").decode()
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        pairs = zip(sorted(left.items()), sorted(right.items()), strict=False)
        keys = [_same(lk, rk) for (lk, _), (rk, _) in pairs]
        return len(left) == len(right) and all(keys) and all(_same(left[k], right[k]) for k in left)
    return left == right and type(left) is type(right)


@SETTINGS
@given(
    st.integers(min_value=1, max_value=20_000),
    st.sampled_from(["[", '{"a":', '[{"b":']),
    st.booleans(),
)
def test_deep_nesting_is_refused(depth: int, opener: str, closed: bool) -> None:
    """Nested past the limit: refused, whether or not deep enough to exhaust the recursion."""
    closer = {"[": "]", '{"a":': "}", '[{"b":': "}]"}[opener]
    body = '{"x":' + opener * depth + "1" + (closer * depth if closed else "") + "}"
    got = decoded(frame(body.encode()))
    nesting = depth * opener.count(":") + depth * opener.count("[")
    if nesting > MAX_NESTING or not closed:
        assert got is None


@SETTINGS
@given(
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "1e999",
            "-1e999",
            "1" * 25,
            "-" + "9" * 5000,
            "1" * 5000,
            '"\\ud800"',
            '"\\udfff\\ud800x"',
            "true",
        ]
    ),
    st.text(max_size=3),
)
def test_special_numbers_and_text(value: str, key: str) -> None:
    """Special floats pass as floats; huge integers are refused; lone surrogates are
    replaced, so the text can be written into any report."""
    got = decoded(frame(f"{{{json.dumps(key)}: {value}}}".encode()))
    if value.lstrip("-").isdigit() and len(value.lstrip("-")) > 20:
        assert got is None
    elif got is not None and isinstance(got[key], float):
        assert math.isnan(got[key]) or math.isinf(got[key]) or got[key] == float(value)


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00", b'{"a": "\xc3\x28"}', b"[]", b'"text"', b"12", b"null", b"", b"{" * 10**6],
)
def test_refused_outright(body: bytes) -> None:
    assert decoded(frame(body)) is None


@SETTINGS
@given(st.lists(st.binary(max_size=64), max_size=8))
def test_receive_on_a_socket_never_raises_anything_else(chunks: list[bytes]) -> None:
    """Whatever a child writes, in whatever pieces: messages, then None (closed), a
    ProtocolError or a TimeoutError; never another exception."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"".join(chunks))
        theirs.shutdown(socket.SHUT_WR)
        for _ in range(len(chunks) + 2):
            try:
                message = protocol.receive(ours, time.monotonic() + 1)
            except (ProtocolError, TimeoutError):
                return
            if message is None:
                return
            assert_safe(message)


def test_oversized_header_is_refused_before_reading() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(HEADER.pack(protocol.MAX_MESSAGE_BYTES + 1))
        with pytest.raises(ProtocolError):
            protocol.receive(ours, time.monotonic() + 1)


PNG_TEXT = "iVBORw0KGgo" + "A" * 21  # base64 of the PNG signature and zeros
output_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["stream", "display", "error", 1])},
    optional={
        "name": st.sampled_from(["stdout", "stderr", "stdin"]) | plain,
        "text": st.text(max_size=50) | plain,
        "png": st.sampled_from([PNG_TEXT, "R0lGODlh", "!!", ""]) | plain,
        "jpeg": st.sampled_from(["/9j/4A==", PNG_TEXT]) | plain,
        "text/html": st.just("<script>alert(1)</script>"),
    },
)


@SETTINGS
@given(plain | st.lists(output_like | plain, max_size=12), st.integers(-3, 60))
def test_any_reported_outputs_become_valid_notebook_outputs(outputs, images_left: int) -> None:
    """A forged cell report's outputs: checked into known shapes (never an exception), which
    make nbformat-valid outputs that carry only text and PNG or JPEG images."""
    message = {"event": "cell", "index": 0, "ok": True, "error": None, "outputs": outputs}
    received = decoded(protocol.encode(message))
    if received is None:
        return  # refused by the channel itself (an integer out of range)
    report = messages.cell_report(received, 0, images_left)
    assert report is not None
    assert messages.images_in(report["outputs"]) <= max(0, images_left)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(output) for output in notebook_outputs(report)]
    nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))
    for output in cell.outputs:
        for mime, data in output.get("data", {}).items():
            assert mime == "text/plain" or images.image_problem(mime, data) is None
