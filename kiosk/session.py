"""The resident's session: a state machine with an injectable clock, and the only home of personal data."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from kiosk.bus import EventBus
from kiosk.events import (
    SessionEnded,
    SessionIdentified,
    SessionIdentityDropped,
    SessionIdleWarning,
    SessionResumed,
    SessionStarted,
)
from kiosk.log import enter_session, leave_session
from kiosk.records import Identity, card_kind


class SessionState(StrEnum):
    """Where the resident is: nobody there, browsing, identified by a card, or gone."""

    ATTRACT = "attract"
    BROWSING = "browsing"
    IDENTIFIED = "identified"
    ENDED = "ended"


class SessionError(RuntimeError):
    """A transition the state machine does not allow (a bug in the caller, not a resident error)."""


class ResidentSession:
    """One resident's visit, from the first touch to walking away.

    Personal data (the identity read from a card, codes scanned, a phone number given for a
    follow-up) is kept here and nowhere else, and `end()` drops all of it. Idle handling runs on
    `tick()`, which the UI calls a few times a second and tests call with a fake clock.
    """

    def __init__(
        self,
        bus: EventBus,
        idle_seconds: float,
        warning_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.warning_seconds = warning_seconds
        self._lock = threading.RLock()
        self._state = SessionState.ATTRACT
        self._session_id: str | None = None
        self._last_activity = clock()
        self._warned = False
        self._identity: Identity | None = None
        self._personal: dict[str, Any] = {}

    # -- what the UI reads -------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """The current state."""
        return self._state

    @property
    def session_id(self) -> str | None:
        """A random id naming this session in logs; None when no resident is there."""
        return self._session_id

    @property
    def identity(self) -> Identity | None:
        """The card that identified the resident, while they are identified."""
        return self._identity

    @property
    def active(self) -> bool:
        """Whether a resident is using the kiosk."""
        return self._state in {SessionState.BROWSING, SessionState.IDENTIFIED}

    @property
    def warning(self) -> bool:
        """Whether the idle warning is showing."""
        return self._warned

    def seconds_left(self) -> float:
        """Seconds until the session ends if nobody touches the screen."""
        idle = self._clock() - self._last_activity
        return max(0.0, self.idle_seconds + self.warning_seconds - idle)

    # -- transitions ---------------------------------------------------------------------------

    def start(self) -> str:
        """A resident touched the attract screen: begin a new session and return its id."""
        with self._lock:
            if self.active:
                raise SessionError(f"session {self._session_id} is still active")
            self._session_id = secrets.token_hex(4)
            self._state = SessionState.BROWSING
            self._last_activity = self._clock()
            self._warned = False
            session_id = self._session_id
            enter_session(session_id)  # from here on every log line, from any thread, names this visit
        self._bus.publish(SessionStarted(session_id))
        return session_id

    def touch(self) -> None:
        """The resident did something: reset the idle clock and withdraw any warning."""
        with self._lock:
            if not self.active:
                return
            self._last_activity = self._clock()
            resumed = self._warned
            self._warned = False
        if resumed:
            self._bus.publish(SessionResumed(self._session_id))

    def identify(self, identity: Identity) -> None:
        """A card identified the resident."""
        with self._lock:
            if not self.active:
                raise SessionError("no active session to identify")
            self._identity = identity
            self._state = SessionState.IDENTIFIED
            self._last_activity = self._clock()
            self._warned = False
        self._bus.publish(SessionIdentified(self._session_id, card_kind(identity)))

    def drop_identity(self, reason: str) -> None:
        """The card was removed: the identified part ends at once, browsing goes on."""
        with self._lock:
            if self._state is not SessionState.IDENTIFIED:
                return
            self._identity = None
            self._personal.clear()
            self._state = SessionState.BROWSING
        self._bus.publish(SessionIdentityDropped(self._session_id, reason))

    def keep_personal(self, key: str, value: Any) -> None:
        """Hold a piece of personal data (a scanned code, a consented phone number) for this session."""
        with self._lock:
            if not self.active:
                raise SessionError("no active session to hold personal data")
            self._personal[key] = value

    def personal(self, key: str) -> Any:
        """A piece of personal data held for this session, or None."""
        return self._personal.get(key)

    def end(self, reason: str) -> None:
        """The resident left, asked to finish, or went idle: drop every piece of personal data."""
        with self._lock:
            if not self.active:
                return
            session_id = self._session_id
            self._identity = None
            self._personal.clear()
            self._warned = False
            self._state = SessionState.ENDED
            self._session_id = None
        self._bus.publish(SessionEnded(session_id, reason))
        # After the handlers, so the lines they log about the ending still name the visit.
        leave_session(session_id)

    def tick(self) -> None:
        """Advance idle handling: warn after `idle_seconds`, end after the warning runs out."""
        with self._lock:
            if not self.active:
                return
            idle = self._clock() - self._last_activity
            ending = idle >= self.idle_seconds + self.warning_seconds
            warn = not ending and idle >= self.idle_seconds and not self._warned
            if warn:
                self._warned = True
        if ending:
            self.end("idle")
        elif warn:
            self._bus.publish(SessionIdleWarning(self._session_id, remaining=self.seconds_left()))
