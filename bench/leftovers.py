"""Looking for a resident's personal data left behind: live objects, widget texts, files, log records.

The soak benchmark uses it after its residents have walked away. Each search takes the secrets to
look for (`Secrets`) and reports where it found them (`Finding`); an empty list is the proof. The
searches are deliberately blunt: every live str/bytes, every byte of every file (in the encodings a
Chinese name travels in) and the text layer of every PDF.
"""

from __future__ import annotations

import gc
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

#: The encodings a name or number may be written in: SQLite and JSON (utf-8), UCS-2 card data and
#: Windows tools (utf-16), and the legacy Chinese code pages (gb18030 covers gbk and gb2312).
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gb18030")


@dataclass(frozen=True)
class Finding:
    """Where a secret was found: the kind of place, the place, and which secret (by its label)."""

    where: str
    place: str
    secret: str

    def __str__(self) -> str:
        return f"{self.where}: {self.place} holds the {self.secret}"


@dataclass
class Secrets:
    """The personal data to look for, by label ("name", "id_number", ...).

    The searcher's own copies are the only objects allowed to hold them: their ids are excluded
    from the live-object search, so a card handed to the kiosk must carry separate copies.
    """

    values: dict[str, str]
    _encoded: list[tuple[str, bytes]] = field(default_factory=list)
    _own: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._encoded = list(
            dict.fromkeys(
                (label, value.encode(encoding))
                for label, value in self.values.items()
                for encoding in ENCODINGS
            )
        )
        self._own = {id(self.values), id(self._encoded)}
        self._own.update(id(value) for value in self.values.values())
        self._own.update(id(label) for label in self.values)
        self._own.update(id(pair) for pair in self._encoded)
        self._own.update(id(encoded) for _label, encoded in self._encoded)

    def in_text(self, text: str) -> Iterator[str]:
        """The labels of the secrets found in `text`."""
        for label, value in self.values.items():
            if value in text:
                yield label

    def in_bytes(self, data: bytes | bytearray) -> Iterator[str]:
        """The labels of the secrets found in `data`, in any of the encodings."""
        found = set()
        for label, encoded in self._encoded:
            if label not in found and encoded in data:
                found.add(label)
                yield label

    def owns(self, obj: object) -> bool:
        """Whether `obj` is one of the searcher's own copies."""
        return id(obj) in self._own


def live_objects(secrets: Secrets) -> list[Finding]:
    """Every live str, bytes and bytearray: the referents of every tracked object (a str is never
    tracked itself: it is found in the dict, list, tuple or instance holding it) and the local
    variables of every thread's running functions."""
    findings = _locals(secrets)
    gc.collect()
    shortest = min(len(value) for value in secrets.values.values())
    seen: set[int] = set()
    holders = gc.get_objects()
    for holder in holders:
        for obj in gc.get_referents(holder):
            kind = type(obj)
            if kind not in (str, bytes, bytearray) or id(obj) in seen or secrets.owns(obj):
                continue
            seen.add(id(obj))
            if len(obj) < shortest:
                continue
            labels = secrets.in_text(obj) if kind is str else secrets.in_bytes(obj)
            findings.extend(Finding("live object", _describe(holder), label) for label in labels)
    del holders
    return findings


def _locals(secrets: Secrets) -> list[Finding]:
    """Secrets held by a running function's local variable (a str there hangs from no tracked
    object). Reading `f_locals` also refreshes each frame's cached dict of locals, which would
    otherwise show the search values that are gone."""
    findings: list[Finding] = []
    here = sys._getframe()
    for thread_id, frame in sys._current_frames().items():
        current: FrameType | None = frame
        while current is not None:
            if current is not here:
                for name, value in list(current.f_locals.items()):
                    if type(value) not in (str, bytes, bytearray) or secrets.owns(value):
                        continue
                    labels = secrets.in_text(value) if type(value) is str else secrets.in_bytes(value)
                    place = f"{name} in {current.f_code.co_qualname} (thread {thread_id})"
                    findings.extend(Finding("local variable", place, label) for label in labels)
            current = current.f_back
    return findings


def _describe(holder: object) -> str:
    kind = type(holder)
    return f"a {kind.__module__}.{kind.__qualname__} at {id(holder):#x}"


def texts(labelled: Iterable[tuple[str, str]], secrets: Secrets) -> list[Finding]:
    """Texts (e.g. every label of the UI, by widget) that hold a secret."""
    return [
        Finding("widget text", place, label) for place, text in labelled for label in secrets.in_text(text)
    ]


def files(roots: Iterable[Path], secrets: Secrets) -> tuple[list[Finding], int]:
    """Every file under `roots`, byte for byte, and the text layer of PDFs; returns the findings and
    how many files were read."""
    findings: list[Finding] = []
    count = 0
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if not path.is_file() or path.is_symlink():
                continue
            count += 1
            data = path.read_bytes()
            findings.extend(Finding("file", str(path), label) for label in secrets.in_bytes(data))
            if data.startswith(b"%PDF"):
                text = pdf_text(path)
                findings.extend(Finding("printed text", str(path), label) for label in secrets.in_text(text))
    return findings, count


def pdf_text(path: Path) -> str:
    """The text layer of a PDF as poppler reads it (the compressed streams hide it from a byte search)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise RuntimeError("pdftotext not found: install poppler-utils (scripts/install-deps lists it)")
    done = subprocess.run(
        [pdftotext, "-q", str(path), "-"], capture_output=True, check=False, timeout=60
    )  # a PDF poppler cannot read is reported as empty text, the byte search still ran over it
    return done.stdout.decode("utf-8", errors="replace")


class LogWatch(logging.Handler):
    """Looks at every log record as it is emitted, keeping only where a secret appeared.

    Keeping the records themselves would grow the process (and hold any secret found): it keeps the
    count and the findings.
    """

    def __init__(self, secrets: Secrets) -> None:
        super().__init__(logging.DEBUG)
        self.secrets = secrets
        self.records = 0
        self.findings: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1])
        for label in self.secrets.in_text(text):
            self.findings.append(Finding("log record", f"{record.name} {record.levelname}", label))
