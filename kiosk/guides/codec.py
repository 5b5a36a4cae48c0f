"""Guides to and from JSON: validation of one guide, and JSON Lines catalogues with line numbers."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import sys
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError

from kiosk.records import GUIDE_KINDS, Guide
from kiosk.records.guide import MAX_CATALOGUE_BYTES, MAX_GUIDE_BYTES, MAX_GUIDES, MAX_ID


@cache
def _guide_adapter() -> TypeAdapter[Guide]:
    """pydantic's validator of a guide, built when the first guide is read (it costs several MiB)."""
    return TypeAdapter(Guide)


class GuideInvalid(ValueError):
    """A guide that does not satisfy the record: the message names the field."""


@dataclass(frozen=True)
class LineError:
    """Why one line of a JSON Lines catalogue was rejected."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class CatalogueInvalid(ValueError):
    """A catalogue with bad lines; nothing of it may be applied."""

    def __init__(self, errors: list[LineError]) -> None:
        shown = "; ".join(str(error) for error in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} bad line(s): {shown}{more}")
        self.errors = errors


def guide_from_dict(data: Any) -> Guide:
    """Validate a decoded JSON object as a guide; the error names the guide (when it has an id)."""
    if not isinstance(data, dict):
        raise GuideInvalid("a guide must be a JSON object")
    try:
        return _validated(data)
    except GuideInvalid as error:
        guide_id = data.get("id")
        if isinstance(guide_id, str) and 0 < len(guide_id) <= MAX_ID:
            raise GuideInvalid(f"guide {guide_id!r}: {error}") from error
        raise


def _validated(data: dict[str, Any]) -> Guide:
    _reject_unknown_keys(data, Guide, "")
    try:
        guide = _guide_adapter().validate_python(data)
    except ValidationError as error:
        raise GuideInvalid(_explain(error.errors()[0])) from error
    for name in ("id", "name", "department"):
        if not getattr(guide, name).strip():
            raise GuideInvalid(f"{name}: must not be empty")
    if guide.kind and guide.kind not in GUIDE_KINDS:
        raise GuideInvalid(f"kind: {_shown(guide.kind)!r} is not one of {', '.join(GUIDE_KINDS)}")
    _check_numbers(guide)
    _check_lists_and_links(guide)
    return guide


def _explain(error: Any) -> str:
    """One pydantic error as `where: what`, with the limit and the size found for a limit."""
    where = ".".join(str(part) for part in error["loc"]) or "(guide)"
    kind, found, context = error["type"], error["input"], error.get("ctx") or {}
    what = str(error["msg"])
    if kind == "string_too_long":
        what = f"{len(found):,} characters, the limit is {context['max_length']:,}"
    elif kind == "too_long":
        what = f"{context['actual_length']:,} entries, the limit is {context['max_length']:,}"
    elif kind == "less_than_equal":
        what = f"{_number(found)}, the limit is {context['le']:,}"
    elif kind == "value_error":
        what = str(context["error"])
    elif kind == "string_unicode":  # pydantic's word for a lone surrogate in a constrained string
        what = "holds a lone surrogate (\\ud800-\\udfff), which is not a character"
    elif kind in ("int_type", "bool_type") and isinstance(found, bool | int):
        what = (
            f"must be {'a whole number' if kind == 'int_type' else 'true or false'}, not {json.dumps(found)}"
        )
    return f"{where}: {what}"


def _number(value: Any) -> str:
    digits = str(value)
    return f"{value:,}" if len(digits) <= 20 else f"a number of {len(digits):,} digits"


def _shown(text: str) -> str:
    """`text` for a one-line message: its beginning only, quoted when it holds invisible characters."""
    cut = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    return cut if cut.isprintable() else repr(cut)


def _check_numbers(guide: Guide) -> None:
    """Counts, time limits and visits: never negative, and a promise within the law."""
    for index, material in enumerate(guide.materials):
        if material.originals < 0 or material.copies < 0:
            raise GuideInvalid(f"materials.{index}: counts cannot be negative")
        if not material.name.strip():
            raise GuideInvalid(f"materials.{index}.name: must not be empty")
    for name in ("legal_days", "promised_days", "max_visits"):
        value = getattr(guide, name)
        if value is not None and value < 0:
            raise GuideInvalid(f"{name}: cannot be negative")
    if (
        guide.legal_days is not None
        and guide.promised_days is not None
        and guide.promised_days > guide.legal_days
    ):
        raise GuideInvalid("promised_days: a promise cannot be longer than the legal time limit")
    for index, procedure in enumerate(guide.special_procedures):
        if procedure.days is not None and procedure.days < 0:
            raise GuideInvalid(f"special_procedures.{index}.days: cannot be negative")


def _check_lists_and_links(guide: Guide) -> None:
    """Web addresses are web addresses, lists hold no repeats, dates are ISO dates."""
    for where, url in (
        ("channels.online_url", guide.channels.online_url),
        ("video_url", guide.video_url),
        *((f"materials.{i}.form_url", m.form_url) for i, m in enumerate(guide.materials)),
    ):
        if url and not url.startswith(("https://", "http://")):
            raise GuideInvalid(f"{where}: {_shown(url)!r} is not a web address")
    for where, values in (("levels", guide.levels), ("life_events", guide.life_events)):
        if len(set(values)) != len(values):
            raise GuideInvalid(f"{where}: lists a value twice")
    if guide.updated and not _ISO_DATE.fullmatch(guide.updated):
        raise GuideInvalid(f"updated: {guide.updated!r} is not a date like 2026-10-15")


def guide_to_dict(guide: Guide) -> dict[str, Any]:
    """A guide as a JSON-ready object, leaving out the elements that still have their defaults."""
    full = _plain(guide)
    return {key: value for key, value in full.items() if key in _REQUIRED or value != _DEFAULTS[key]}


def _plain(value: Any) -> Any:
    """`dataclasses.asdict` for records: the same result, without its deep copy of every string.

    Records hold strings, numbers, booleans, None, tuples and records; asdict copies each value with
    `copy.deepcopy`, four times the cost of this (0.25 ms a synthetic guide, on every guide an
    import or a publication writes).
    """
    kind = type(value)
    if kind in _ATOMS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(item.name for item in dataclasses.fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return kind(_plain(item) for item in value)
    if kind is dict:
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value


_ATOMS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def guide_to_json(guide: Guide) -> str:
    """One guide as one line of JSON."""
    return json.dumps(guide_to_dict(guide), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class OversizedLine:
    """A line longer than MAX_GUIDE_BYTES: skipped unparsed, only its size and beginning kept."""

    size: int
    head: bytes


class BinaryLines(Protocol):
    """A binary file or stream read line by line (an open file, a GzipFile)."""

    def readline(self, size: int = -1, /) -> bytes:
        """At most `size` bytes, up to and including the next newline."""
        ...


def bounded_lines(stream: BinaryLines) -> Iterator[bytes | OversizedLine]:
    """The lines of a JSON Lines catalogue, never holding more than one guide's worth in memory.

    A line over MAX_GUIDE_BYTES comes as an OversizedLine (a 50 MB line would cost gigabytes to
    parse); past MAX_CATALOGUE_BYTES in all, CatalogueInvalid is raised.
    """
    total = 0
    for number in itertools.count(1):
        line = stream.readline(MAX_GUIDE_BYTES + 1)
        if not line:
            return
        size = len(line)
        if size > MAX_GUIDE_BYTES and not line.endswith(b"\n"):
            head = line[:_HEAD]
            while not line.endswith(b"\n") and (line := stream.readline(_SKIP)):
                size += len(line)
        else:
            head = b""
        total += size
        if total > MAX_CATALOGUE_BYTES:
            reason = f"the catalogue is larger than the limit of {MAX_CATALOGUE_BYTES:,} bytes"
            raise CatalogueInvalid([LineError(number, reason)])
        yield OversizedLine(size - line.endswith(b"\n"), head) if head else line


def decode_line(line: str | bytes | OversizedLine) -> Any:
    """One line of JSON Lines as a Python value; GuideInvalid, saying what is wrong, when it is not JSON."""
    if isinstance(line, OversizedLine):
        return _refuse_oversized(line.size, line.head)
    if isinstance(line, str):
        # A character is at most 4 bytes: only a long line is worth encoding to measure.
        encoded = line.encode("utf-8", "replace") if len(line) * 4 > MAX_GUIDE_BYTES else b""
        if len(encoded.rstrip(b"\n")) > MAX_GUIDE_BYTES:
            return _refuse_oversized(len(encoded.rstrip(b"\n")), encoded[:_HEAD])
        text = line
    else:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise GuideInvalid(
                f"not valid UTF-8 (byte 0x{line[error.start]:02x} at byte {error.start + 1} of the line)"
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise GuideInvalid(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise GuideInvalid(
            "not readable: lists or objects nested too deeply (a guide nests three levels at most)"
        ) from None
    except ValueError as error:  # the only other one json raises: an integer too long to convert
        raise GuideInvalid(f"holds a number of more than {sys.get_int_max_str_digits():,} digits") from error


def _refuse_oversized(size: int, head: bytes) -> Any:
    found = _ID_NEAR_START.search(head)
    guide = f"guide {found.group(1).decode('utf-8', 'replace')!r}: " if found else ""
    raise GuideInvalid(f"{guide}the line is {size:,} bytes, the limit for one guide is {MAX_GUIDE_BYTES:,}")


def read_jsonl(lines: Iterable[str | bytes | OversizedLine]) -> list[Guide]:
    """Parse a JSON Lines catalogue; raise CatalogueInvalid listing every bad line.

    Give it `bounded_lines(binary_file)` so that a huge line is refused before it is read whole.
    """
    guides: list[Guide] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, OversizedLine) and not line.strip():
            continue
        try:
            guide = guide_from_dict(decode_line(line))
        except GuideInvalid as error:
            errors.append(LineError(number, str(error)))
            continue
        if guide.id in seen:
            errors.append(LineError(number, f"id {guide.id!r} already used on line {seen[guide.id]}"))
            continue
        if len(guides) == MAX_GUIDES:
            errors.append(LineError(number, f"more guides than the limit of {MAX_GUIDES:,} for a catalogue"))
            break
        seen[guide.id] = number
        guides.append(guide)
    if errors:
        raise CatalogueInvalid(errors)
    return guides


def write_jsonl(guides: Iterable[Guide]) -> Iterator[str]:
    """Lines of a JSON Lines catalogue, each ending in a newline."""
    for guide in guides:
        yield guide_to_json(guide) + "\n"


_HEAD = 4096  # bytes kept of an oversized line, to name its guide
_SKIP = 1 << 20  # bytes read at a time while skipping an oversized line
_ID_NEAR_START = re.compile(rb'"id"\s*:\s*"([^"\\]{1,64})"')
_SHOWN = 40  # characters of a bad value quoted in a message
_REQUIRED = {"id", "name", "department"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # 0-9 only (kiosk.digits)
_DEFAULTS = _plain(Guide(id="", name="", department=""))


def _reject_unknown_keys(data: dict[str, Any], record: type[Any], prefix: str) -> None:
    """Pydantic ignores unknown keys of dataclasses; a misspelt element must not vanish silently."""
    elements = _elements(record)
    for key, value in data.items():
        where = f"{prefix}{key}"
        if key not in elements:
            raise GuideInvalid(f"{prefix}{_shown(key)}: unknown element")
        nested = elements[key]
        if nested is None:
            continue
        if isinstance(value, dict):
            _reject_unknown_keys(value, nested, f"{where}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _reject_unknown_keys(item, nested, f"{where}.{index}.")


def _elements(record: type[Any]) -> dict[str, type[Any] | None]:
    """The elements of a record, each with the record it holds (or a list of), if any.

    Cached: evaluating the annotations each time was most of the cost of validating a guide (3 ms).
    """
    if record not in _ELEMENTS:
        hints = typing.get_type_hints(record)
        _ELEMENTS[record] = {
            field.name: _dataclass_in(hints[field.name]) for field in dataclasses.fields(record)
        }
    return _ELEMENTS[record]


_ELEMENTS: dict[type[Any], dict[str, type[Any] | None]] = {}


def _dataclass_in(annotation: Any) -> type[Any] | None:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    if isinstance(annotation, types.GenericAlias | types.UnionType) or typing.get_origin(annotation):
        for argument in typing.get_args(annotation):
            found = _dataclass_in(argument)
            if found is not None:
                return found
    return None
