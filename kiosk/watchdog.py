"""The systemd notification protocol (sd_notify) and the UI's liveness: a hung UI stops feeding it.

systemd's `Type=notify` services send datagrams such as `READY=1` and `WATCHDOG=1` to the socket
named by NOTIFY_SOCKET; with `WatchdogSec=` set, a service that stops sending `WATCHDOG=1` is killed
and restarted. The UI feeds the watchdog from its own main loop, and only while frames are drawn.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

from kiosk.digits import ascii_digits

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends sd_notify messages; does nothing when the process was not started by systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # A leading "@" names a socket in the abstract namespace.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        # systemd names the process its watchdog is for: the service's main process. On the
        # appliance that is the compositor, which starts the UI and does no work of its own; the
        # UI, its child, takes the watchdog over (systemd takes its pings with NotifyAccess=all,
        # and on a timeout signals every process of the service). Any other process that
        # inherited the variables (a grandchild, a tool started from the UI) leaves it alone.
        #: The watchdog was meant for the parent that started this process.
        self.takes_over = bool(pid) and pid == str(os.getppid())
        watched = ascii_digits(usec) and (not pid or pid == str(os.getpid()) or self.takes_over)
        #: How often to ping: half the watchdog period, as systemd advises; None when not watched.
        self.ping_interval: float | None = int(usec) / 2_000_000 if watched else None

    @property
    def enabled(self) -> bool:
        """Whether there is a systemd socket to talk to."""
        return bool(self.address)

    def notify(self, message: str) -> None:
        """Send one message (e.g. "READY=1"); failures are logged, never raised."""
        if not self.address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
                sender.sendto(message.encode(), self.address)
        except OSError as error:
            log.warning("cannot notify systemd at %s: %s", self.address.lstrip("\0"), error)

    def ready(self, status: str = "") -> None:
        """The service is up."""
        self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def ping(self) -> None:
        """Keep the watchdog from firing."""
        self.notify("WATCHDOG=1")

    def stopping(self) -> None:
        """The service is shutting down on purpose."""
        self.notify("STOPPING=1")


class Liveness:
    """Whether the UI is still producing frames: the watchdog is fed only while it is."""

    def __init__(self, max_stall: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_stall = max_stall
        self._clock = clock
        self._last_frame = clock()
        self._warned = False

    def frame_drawn(self) -> None:
        """A frame reached the screen."""
        self._last_frame = self._clock()
        self._warned = False

    def healthy(self) -> bool:
        """No longer than `max_stall` seconds since the last frame."""
        stalled = self._clock() - self._last_frame
        if stalled <= self.max_stall:
            return True
        if not self._warned:
            log.error("the UI drew no frame for %.0f s: the watchdog is no longer fed", stalled)
            self._warned = True
        return False


def feed_watchdog(notifier: SystemdNotifier, liveness: Liveness) -> bool:
    """One beat of the UI's main loop: ping when frames are being drawn; returns whether it pinged."""
    if not liveness.healthy():
        return False
    notifier.ping()
    return True
