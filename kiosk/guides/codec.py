"""Guides to and from JSON: validation of one guide, and JSON Lines catalogues with line numbers."""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kiosk.records import GUIDE_KINDS, Guide

_GUIDE = TypeAdapter(Guide)


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
    """Validate a decoded JSON object as a guide."""
    if not isinstance(data, dict):
        raise GuideInvalid("a guide must be a JSON object")
    _reject_unknown_keys(data, Guide, "")
    try:
        guide = _GUIDE.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(guide)"
        raise GuideInvalid(f"{where}: {first['msg']}") from error
    for name in ("id", "name", "department"):
        if not getattr(guide, name).strip():
            raise GuideInvalid(f"{name}: must not be empty")
    if guide.kind and guide.kind not in GUIDE_KINDS:
        raise GuideInvalid(f"kind: {guide.kind!r} is not one of {', '.join(GUIDE_KINDS)}")
    _check_numbers(guide)
    _check_lists_and_links(guide)
    return guide


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
            raise GuideInvalid(f"{where}: {url!r} is not a web address")
    for where, values in (("levels", guide.levels), ("life_events", guide.life_events)):
        if len(set(values)) != len(values):
            raise GuideInvalid(f"{where}: lists a value twice")
    if guide.updated and not _ISO_DATE.fullmatch(guide.updated):
        raise GuideInvalid(f"updated: {guide.updated!r} is not a date like 2026-10-15")


def guide_to_dict(guide: Guide) -> dict[str, Any]:
    """A guide as a JSON-ready object, leaving out the elements that still have their defaults."""
    full = dataclasses.asdict(guide)
    return {key: value for key, value in full.items() if key in _REQUIRED or value != _DEFAULTS[key]}


def guide_to_json(guide: Guide) -> str:
    """One guide as one line of JSON."""
    return json.dumps(guide_to_dict(guide), ensure_ascii=False, separators=(",", ":"))


def read_jsonl(lines: Iterable[str]) -> list[Guide]:
    """Parse a JSON Lines catalogue; raise CatalogueInvalid listing every bad line."""
    guides: list[Guide] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            guide = guide_from_dict(json.loads(line))
        except json.JSONDecodeError as error:
            errors.append(LineError(number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        except GuideInvalid as error:
            errors.append(LineError(number, str(error)))
            continue
        if guide.id in seen:
            errors.append(LineError(number, f"id {guide.id!r} already used on line {seen[guide.id]}"))
            continue
        seen[guide.id] = number
        guides.append(guide)
    if errors:
        raise CatalogueInvalid(errors)
    return guides


def write_jsonl(guides: Iterable[Guide]) -> Iterator[str]:
    """Lines of a JSON Lines catalogue, each ending in a newline."""
    for guide in guides:
        yield guide_to_json(guide) + "\n"


_REQUIRED = {"id", "name", "department"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DEFAULTS = dataclasses.asdict(Guide(id="", name="", department=""))


def _reject_unknown_keys(data: dict[str, Any], record: type[Any], prefix: str) -> None:
    """Pydantic ignores unknown keys of dataclasses; a misspelt element must not vanish silently."""
    hints = typing.get_type_hints(record)
    names = {field.name for field in dataclasses.fields(record)}
    for key, value in data.items():
        where = f"{prefix}{key}"
        if key not in names:
            raise GuideInvalid(f"{where}: unknown element")
        nested = _dataclass_in(hints[key])
        if nested is None:
            continue
        if isinstance(value, dict):
            _reject_unknown_keys(value, nested, f"{where}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _reject_unknown_keys(item, nested, f"{where}.{index}.")


def _dataclass_in(annotation: Any) -> type[Any] | None:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    if isinstance(annotation, types.GenericAlias | types.UnionType) or typing.get_origin(annotation):
        for argument in typing.get_args(annotation):
            found = _dataclass_in(argument)
            if found is not None:
                return found
    return None
