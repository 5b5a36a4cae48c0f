"""Sending the rating outbox to the platform's rating system (POST /v1/ratings), off the UI thread.

A round sends the pending ratings oldest first, one at a time, and marks each accepted only after
the platform said so: a kill -9 between the two leaves it pending, it is sent again, and the
platform, idempotent on `rating_id`, counts it once. The first failure that is the platform's
(down, timeout, rate limit, signature or clock refused, an answer the kiosk cannot read) ends the
round, and the next comes after a back-off (30 s doubling to 30 min, with jitter); the ratings wait
on disk however long that takes. A rating the platform refuses as malformed (a business refusal) is
set aside with its code and never sent again. The worker runs like kiosk.sync.scheduler's: a
daemon thread waiting on a wake event, started and stopped with the kiosk (kiosk.appliance).
See docs/platform.md, "How ratings travel".
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.background import PeriodicWork
from kiosk.outbox import RatingOutbox
from kiosk.platform.port import PlatformError, PlatformRefused
from kiosk.records import Rating, RatingLevel
from kiosk.thread_guard import ThreadGuard

log = logging.getLogger(__name__)

#: The national levels as the contract numbers them (5 best).
LEVEL_SCORES = {
    RatingLevel.VERY_SATISFIED: 5,
    RatingLevel.SATISFIED: 4,
    RatingLevel.BASICALLY_SATISFIED: 3,
    RatingLevel.DISSATISFIED: 2,
    RatingLevel.VERY_DISSATISFIED: 1,
}
#: The contract's channel for a self-service terminal.
CHANNEL = "self_service_terminal"
#: Back-off after the first failure, doubled per failure up to BACKOFF_MAX (seconds).
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 30 * 60.0
#: Seconds between rounds when nothing failed (a session end nudges a round sooner).
IDLE_SECONDS = 5 * 60.0
#: Ratings read from the outbox at a time.
BATCH = 100


class RatingPlatform(Protocol):
    """What the sender needs of the platform (kiosk.platform.gateway.HttpGateway has it)."""

    def submit_rating(self, rating: dict[str, Any]) -> None: ...


def contract_body(rating: Rating) -> dict[str, Any]:
    """The body of `POST /v1/ratings` for `rating` (docs/platform.md); the phone only with consent.

    The subject is the case rated (好差评 of a 办件), else the guide the resident rated after, else
    the terminal itself. The dimensions rated offline have no field in the contract and stay in
    the outbox.
    """
    if rating.case_no:
        subject = {"kind": "case", "id": rating.case_no}
    elif rating.guide_id:
        subject = {"kind": "guide", "id": rating.guide_id}
    else:
        subject = {"kind": "terminal", "id": rating.kiosk_id}
    return {
        "rating_id": _canonical(rating.rating_id),
        "terminal_id": rating.kiosk_id,
        "channel": CHANNEL,
        "subject": subject,
        "level": LEVEL_SCORES[rating.level],
        "reasons": list(rating.reasons),
        "comment": "",
        "rated_at": rating.rated_at,
        "phone": rating.phone or None,
    }


def _canonical(rating_id: str) -> str:
    """The uuid in its usual dashed form (the outbox stores uuid4().hex); any other id as it is."""
    try:
        return str(uuid.UUID(rating_id))
    except ValueError:
        return rating_id


def next_delay(failures: int, jitter: float) -> float:
    """Seconds until the next round: IDLE_SECONDS after success, else the back-off, +-20 % jitter."""
    if failures == 0:
        return IDLE_SECONDS
    base = min(BACKOFF_FIRST * float(2 ** min(failures - 1, 16)), BACKOFF_MAX)
    return base * (0.8 + 0.4 * jitter)


@dataclass(frozen=True)
class RoundReport:
    """What one round did: ratings accepted and set aside, and the failure that ended it ("" if none)."""

    accepted: int = 0
    set_aside: int = 0
    failure: str = ""


class RatingSender:
    """Sends the outbox in `state_db` to `platform`, on a thread of its own."""

    def __init__(
        self,
        state_db: Path,
        platform: RatingPlatform,
        *,
        chooser: random.Random | None = None,
    ) -> None:
        self._state_db = state_db
        self._platform = platform
        self._chooser = chooser or random.Random()
        self._work = PeriodicWork(
            "kiosk-ratings", self.run_round, lambda: next_delay(self.failures, self._chooser.random())
        )
        #: Failed rounds in a row (0 after a round that ended well).
        self.failures = 0
        #: Counts and logs rounds that crashed; the back-off, not the guard, spaces the next one.
        self.guard = ThreadGuard("rating sender", pause=lambda: 0.0)

    @property
    def thread(self) -> threading.Thread | None:
        """The sender's thread while it runs."""
        return self._work.thread

    def start(self, first_delay: float = 5.0) -> None:
        """Begin sending in the background, first after `first_delay` seconds."""
        self._work.start(first_delay)

    def nudge(self) -> None:
        """A rating may be waiting (a session ended): send soon, unless backing off after a failure."""
        if self.failures == 0:
            self._work.wake()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop: the round ends before its next rating. Waits at most `timeout` seconds, so a kiosk
        stopping is never held up by a slow platform; a send in flight then ends on its own
        deadline (the thread is a daemon, and an unmarked rating is simply sent again later)."""
        if not self._work.stop(timeout):
            return  # still sending: the platform's client stays open for it
        close = getattr(self._platform, "close", None)
        if callable(close):
            close()

    def run_round(self) -> RoundReport:
        """Send what is pending, oldest first, until done, stopped or the platform fails."""
        report = RoundReport(failure="crashed")
        with self.guard:  # a bug in one round must not end sending for good
            report = self._send_pending()
        self.failures = self.failures + 1 if report.failure else 0
        return report

    def _send_pending(self) -> RoundReport:
        outbox = RatingOutbox(self._state_db)  # its own connection: the UI's stays the UI's
        accepted = set_aside = 0
        try:
            while not self._work.stopping:
                batch = outbox.pending(BATCH)
                if not batch:
                    return RoundReport(accepted, set_aside)
                for rating in batch:
                    if self._work.stopping:
                        return RoundReport(accepted, set_aside)
                    try:
                        self._platform.submit_rating(contract_body(rating))
                    except PlatformRefused as refused:
                        outbox.set_aside(rating.rating_id, refused.code)
                        set_aside += 1
                        log.warning(
                            "rating %s set aside: the platform refused it (%s); it will not be sent again",
                            rating.rating_id,
                            refused.code,
                        )
                        continue
                    except PlatformError as error:
                        kind = type(error).__name__
                        outbox.record_failure(rating.rating_id, kind)
                        log.info(
                            "ratings not sent (%s: %s); %d waiting, next try later",
                            kind,
                            error,
                            outbox.count_pending(),
                        )
                        return RoundReport(accepted, set_aside, kind)
                    outbox.mark_sent([rating.rating_id])
                    accepted += 1
            return RoundReport(accepted, set_aside)
        finally:
            if accepted or set_aside:
                outbox.forget_deleted()
                log.info("ratings: %d accepted by the platform, %d set aside", accepted, set_aside)
            outbox.close()
