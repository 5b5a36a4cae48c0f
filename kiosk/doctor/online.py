"""Checks of the online services: the platform's gateway, and the ratings it refused."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from kiosk.doctor.check import Check, Status
from kiosk.outbox import RatingOutbox
from kiosk.paths import state_path
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.port import (
    ClockSkew,
    PlatformError,
    PlatformNotConfigured,
    PlatformTimeout,
    PlatformUnavailable,
    SignatureRejected,
    failure_reason,
)
from kiosk.settings.schema import PlatformSection

#: What a technician does about each failure (the first matching type wins).
_WHAT_TO_DO: tuple[tuple[type[PlatformError], str], ...] = (
    (SignatureRejected, "check platform.paas_id and the token with the platform's operator"),
    (ClockSkew, "set the time, check NTP"),
    (PlatformNotConfigured, "fix [platform] in the site's settings"),
    (PlatformTimeout, "check the network and platform.timeout"),
    (PlatformUnavailable, "check the network and platform.url"),
)


def check_platform(section: PlatformSection) -> Check:
    """The platform's gateway accepts a signed call (`GET /v1/services`, as `kiosk platform check`).

    Not critical: without the platform the kiosk still serves its guides; its online services are
    out of service. A kiosk without a platform (`platform.url` empty) is fine as it is.
    """
    if not section.url:
        return Check(
            "platform", Status.OK, False, "not configured (platform.url is empty): no online services"
        )
    try:
        gateway = platform_from_settings(section)
    except PlatformNotConfigured as error:
        return _failed(error)
    started = time.monotonic()
    try:
        offered = gateway.services()
    except PlatformError as error:
        return _failed(error, f" at {gateway.url}")
    finally:
        gateway.close()
    elapsed_ms = (time.monotonic() - started) * 1000
    detail = f"{gateway.url} accepted a signed call ({len(offered)} services, {elapsed_ms:.0f} ms)"
    return Check("platform", Status.OK, False, detail)


def _failed(error: PlatformError, where: str = "") -> Check:
    reason = failure_reason(error)
    cause = reason if reason == str(error) else f"{reason}{where}: {error}"
    advice = next((text for kind, text in _WHAT_TO_DO if isinstance(error, kind)), "")
    detail = f"{cause}; {advice}" if advice else cause
    return Check("platform", Status.FAIL, False, f"{detail} (the online services are out of service)")


def check_ratings(data: Path) -> Check:
    """Ratings the platform refused and set aside (never sent again), and how many wait to be sent."""
    path = state_path(data)
    if not path.exists():
        return Check("ratings", Status.OK, False, "no ratings yet")
    outbox = RatingOutbox(path)
    try:
        waiting = outbox.count_pending()
        count = outbox.count_set_aside()
        refused = Counter(outbox.set_aside_codes().values())
    finally:
        outbox.close()
    pending = f"{waiting} waiting to be sent"
    if not count:
        return Check("ratings", Status.OK, False, pending)
    codes = ", ".join(f"{code or 'no code'} x{times}" for code, times in sorted(refused.items()))
    detail = (
        f"{count} rating{'s' if count != 1 else ''} refused by the platform and set aside ({codes}), "
        "never sent again: give the codes and the rating ids (journalctl -u kiosk | grep 'set aside') "
        f"to the platform's operator; {pending}"
    )
    return Check("ratings", Status.WARN, False, detail)
