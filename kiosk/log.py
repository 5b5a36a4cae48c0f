"""Logging of the kiosk process: text or JSON lines on stderr (journald on an appliance), masked.

Every line logged while a resident is at the kiosk, from any thread, names that visit by its random
session id (`ResidentSession` announces it with `enter_session`/`leave_session`); no line names a
resident. Anything that looks like an ID number or a phone number is masked in every line, on stderr
and in technician mode's ring alike, in case a careless log call lets one through.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import deque
from datetime import UTC, datetime


class _SessionInProgress:
    """The random id of the session in progress, or None.

    Process-wide, not per thread: a kiosk serves one resident at a time, and the identity readers'
    and printing's threads must name the visit as the UI thread does.
    """

    def __init__(self) -> None:
        self.session_id: str | None = None
        self.guard = threading.Lock()


_in_progress = _SessionInProgress()


def enter_session(session_id: str) -> None:
    """From now on every log line, from every thread, names the session `session_id`."""
    with _in_progress.guard:
        _in_progress.session_id = session_id


def leave_session(session_id: str | None) -> None:
    """Log lines stop naming `session_id` (a newer session, if one began meanwhile, stays named)."""
    with _in_progress.guard:
        if _in_progress.session_id == session_id:
            _in_progress.session_id = None


def current_session() -> str | None:
    """The random id of the session log lines name now, or None between residents."""
    return _in_progress.session_id


class SessionFilter(logging.Filter):
    """Stamps each record with the current session's random id (`record.session`, None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.session = _in_progress.session_id
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [session]: message` for people at a terminal; masked like every line."""

    def __init__(self, datefmt: str | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(session_tag)s: %(message)s", datefmt)

    def format(self, record: logging.LogRecord) -> str:
        session = getattr(record, "session", None)
        record.session_tag = f" [{session}]" if session else ""
        return mask_personal(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for journald on an appliance (journalctl -o cat | jq).

    Keys: time, level, logger, message, session (null between residents), exception and stack when any.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal(record.getMessage()),
            "session": getattr(record, "session", None),
        }
        if record.exc_info:
            entry["exception"] = mask_personal(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_personal(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, style: str = "text") -> None:
    """Send log lines to stderr (journald on an appliance) at `level`, as text or JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    handler.addFilter(SessionFilter())
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

    Log lines carry no personal data by design; TextFormatter masks what reaches this ring anyway.
    """

    def __init__(self, capacity: int = RECENT_LINES) -> None:
        super().__init__(level=logging.INFO)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._guard = threading.Lock()
        self.setFormatter(TextFormatter("%H:%M:%S"))
        self.addFilter(SessionFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)  # TextFormatter masks it
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
