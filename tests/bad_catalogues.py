"""Catalogues that must be refused with one line saying what and where: found by fuzzing (issue 13)."""

from __future__ import annotations

import pytest

GOOD = b'{"id": "371000-X-1", "name": "n", "department": "d"}\n'


def _guide(name: bytes = b"n", extra: bytes = b"", guide_id: bytes = b"371000-X-1") -> bytes:
    return b'{"id": "' + guide_id + b'", "name": "' + name + b'", "department": "d"' + extra + b"}\n"


#: (content, what the refusal says) for `kiosk guides import`, publishing and sync alike.
BAD_CATALOGUES = [
    pytest.param(
        GOOD + _guide(b"\xff\xfe", guide_id=b"371000-X-2"),
        "line 2: not valid UTF-8 (byte 0xff at byte 31 of the line)",
        id="utf-8",
    ),
    pytest.param(
        _guide(b"a\\ud800"),
        "line 1: guide '371000-X-1': name: holds a lone surrogate",
        id="surrogate",
    ),
    pytest.param(
        GOOD + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "line 2: not readable: lists or objects nested too deeply",
        id="nesting",
    ),
    pytest.param(
        _guide(extra=b', "legal_days": ' + b"9" * 5000),
        "line 1: holds a number of more than 4,300 digits",
        id="digits",
    ),
    pytest.param(
        _guide(b"a" * 2_000_000, guide_id=b"371000-BIG"),
        "line 1: guide '371000-BIG': the line is 2,000,051 bytes, the limit for one guide is 262,144",
        id="huge-line",
    ),
    pytest.param(
        _guide(b"a" * 1000),
        "line 1: guide '371000-X-1': name: 1,000 characters, the limit is 200",
        id="long-name",
    ),
    pytest.param(
        _guide(extra=b', "legal_days": true'),
        "line 1: guide '371000-X-1': legal_days: must be a whole number, not true",
        id="bool",
    ),
    pytest.param(
        _guide(guide_id=b"371000\\u0000X"),
        "line 1: guide '371000\\x00X': id: holds the invisible character U+0000 at character 7",
        id="nul-id",
    ),
]
