"""ID card frames found by fuzzing, shared by the parser's, the serial reader's and the service's tests."""

from __future__ import annotations

from drivers.idcard import protocol

#: The frame of issue 13, byte for byte: a read answer whose text block is blank but for the
#: 'J' flag and an issue count of '²' (which passed str.isdigit() and then failed int()).
ISSUE_13_FRAME = bytes.fromhex(
    "AAAAAA9669 0108 000090 01000000" + "2000" * 119 + "B200" + "2000" * 4 + "4A00" + "2000" * 3 + "60"
)


def issue_13_text() -> bytes:
    """The 256-byte text block inside ISSUE_13_FRAME."""
    (answer,) = protocol.FrameReader().feed(ISSUE_13_FRAME)
    assert isinstance(answer, protocol.Answer)
    return protocol.parse_read(answer.data).text
