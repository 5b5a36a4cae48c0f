"""Logging of the kiosk process. Lines name sessions by their random id, never a resident."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import deque
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for journald on an appliance (journalctl -o cat | jq)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, style: str = "text") -> None:
    """Send log lines to stderr (journald on an appliance) at `level`, as text or JSON lines."""
    handler = logging.StreamHandler()
    if style == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=getattr(logging, level), handlers=[handler], force=True)
    install_recent_log()


#: What may be personal data in a log line, however it got there: 18- and 15-character ID numbers,
#: mainland mobile numbers and fixed-line numbers with an area code. Masked as a second defence.
_PERSONAL_PATTERNS = (
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])"), "[ID number masked]"),
    (re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"), "[ID number masked]"),
    (
        re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9A-Za-z])"),
        "[phone masked]",
    ),
    (re.compile(r"(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?![0-9A-Za-z])"), "[phone masked]"),
)
#: Lines kept for technician mode's "recent log lines".
RECENT_LINES = 200


def mask_personal(text: str) -> str:
    """`text` with anything that looks like an ID number or a phone number masked."""
    for pattern, replacement in _PERSONAL_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RecentLog(logging.Handler):
    """The last log lines in memory (a bounded ring), for technician mode's screen; never on disk.

    Log lines carry no personal data by design; what reaches this ring is masked once more anyway.
    """

    def __init__(self, capacity: int = RECENT_LINES) -> None:
        super().__init__(level=logging.INFO)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._guard = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = mask_personal(self.format(record))
        except Exception:  # a bad log call must not break the caller, as with every handler
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def lines(self, count: int | None = None) -> list[str]:
        """The newest `count` lines (all kept lines by default), oldest first."""
        with self._guard:
            kept = list(self._lines)
        return kept if count is None else kept[-count:]


#: The process's ring of recent lines, attached to the root logger by `install_recent_log`.
recent_log = RecentLog()


def install_recent_log() -> RecentLog:
    """Attach the ring of recent lines to the root logger (once); returns it."""
    root = logging.getLogger()
    if recent_log not in root.handlers:
        root.addHandler(recent_log)
    return recent_log
