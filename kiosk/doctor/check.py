"""One health check's result, and running a check so that a hung device cannot hang the doctor."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """How a check came out: ok, worth a look (warn), or broken (fail)."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """The result of one check: a one-line detail a technician can act on (device, port, cause)."""

    name: str
    status: Status
    critical: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        """The check as `kiosk doctor --json` prints it."""
        return {
            "name": self.name,
            "status": str(self.status),
            "critical": self.critical,
            "detail": self.detail,
        }


def overall(checks: Sequence[Check]) -> Status:
    """fail when a critical check failed, warn when anything else is not ok, else ok."""
    if any(check.critical and check.status is Status.FAIL for check in checks):
        return Status.FAIL
    if any(check.status is not Status.OK for check in checks):
        return Status.WARN
    return Status.OK


def run_bounded(name: str, critical: bool, probe: Callable[[], Check], timeout: float) -> Check:
    """Run `probe` on a daemon thread; a probe that does not return within `timeout` fails the check.

    A device stuck in a driver call (a serial port that never answers, a cupsd that accepts but
    never replies) is left behind on its thread: the doctor reports it and the process still ends.
    """
    result: list[Check] = []

    def work() -> None:
        try:
            result.append(probe())
        except Exception as error:  # any failure of a probe is that check's result
            result.append(Check(name, Status.FAIL, critical, f"{type(error).__name__}: {error}"))

    thread = threading.Thread(target=work, name=f"doctor-{name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not result:
        return Check(name, Status.FAIL, critical, f"no answer within {timeout:g} s (check hung)")
    return result[0]
