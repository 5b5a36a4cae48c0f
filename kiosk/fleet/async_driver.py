"""Many kiosks' fleet links in one asyncio event loop: the fleet simulator's driver.

`ThreadDriver` gives one kiosk its own thread; thousands of simulated kiosks in one process need
one event loop instead. `AsyncDriver` pumps the same `FleetLink`s (the protocol is the link's: this
module only moves bytes) through paho's external-loop API, as paho's examples/loop_asyncio.py does:
the event loop watches each link's socket (`on_socket_open`/`on_socket_close` add and remove a
reader, `on_socket_register_write`/`on_socket_unregister_write` a writer) and calls `loop_read`,
`loop_write`; one sweep a second calls every link's `loop_misc` (keepalive pings and their
timeout). Each link reconnects forever with its `Backoff`, as with `ThreadDriver`; the link's
`on_pre_connect` hook gives every attempt its session and will.

Besides a clean stop (`offline`, then DISCONNECT), the driver ends a connection the ways a real
kiosk loses one, for the simulator's faults:

- `drop`: the connection ends without a word (no DISCONNECT): the broker publishes the will at
  once; the link connects again after its back-off, with a session one higher.
- `kill`: the process is killed: the kernel closes its socket (the broker publishes the will at
  once) and nothing connects again; a restarted kiosk is a new link on the same memory.
- `silence`: the power is cut or the cable pulled: nothing more is read or sent and the socket
  stays open, so the broker finds out only when the keepalive runs out (1.5 x keepalive).

paho's TCP connect (and a TLS handshake) is blocking: meant for a broker on loopback or the LAN,
where it takes well under a millisecond; a far broker that does not answer would hold the loop up
to paho's connect timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from kiosk.fleet.link import Backoff, FleetLink

log = logging.getLogger(__name__)

#: Seconds between two sweeps of `loop_misc` (paho's keepalive check): as paho's own loop does.
MISC_INTERVAL = 1.0


class Pump:
    """One link in the driver: its connection attempts, its socket and how it ended."""

    def __init__(self, driver: AsyncDriver, link: FleetLink, backoff: Backoff) -> None:
        self.driver = driver
        self.link = link
        self.backoff = backoff
        #: The socket paho opened for the current connection (None between connections).
        self.sock: Any = None
        #: Set by paho's on_socket_close: the current connection is over.
        self._closed = asyncio.Event()
        #: Stopped, killed or silenced: nothing connects again.
        self.finished = False
        #: A silenced link's socket, open and unserved until `release()`.
        self._silent_sock: Any = None
        #: Silenced: paho may still queue packets, but nothing is written.
        self._muted = False
        #: Connections the broker accepted (a link that came back counts one more).
        self.connections = 0
        self._was_connected = False
        client = link.client
        client.on_socket_open = self._socket_open
        client.on_socket_close = self._socket_close
        client.on_socket_register_write = self._register_write
        client.on_socket_unregister_write = self._unregister_write
        self.task = driver.loop.create_task(self._run(), name=f"fleet-{link.topics.kiosk_id}")

    # -- paho's socket callbacks (on the loop's thread) -------------------------------------------

    def _socket_open(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self.sock = sock
        self._closed.clear()
        self.driver.loop.add_reader(sock, self._readable)

    def _socket_close(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        if (
            sock.fileno() >= 0
        ):  # a killed link's socket was closed already (paho closes it again when collected)
            loop = self.driver.loop
            loop.remove_reader(sock)
            loop.remove_writer(sock)
            if self.finished:
                _drain(sock)
        if sock is self.sock:
            self.sock = None
        self._closed.set()

    def _register_write(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        if not self._muted:
            self.driver.loop.add_writer(sock, self._writable)

    def _unregister_write(self, client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        self.driver.loop.remove_writer(sock)

    def _readable(self) -> None:
        self.link.client.loop_read()
        self._note_connected()

    def _writable(self) -> None:
        self.link.client.loop_write()

    def _note_connected(self) -> None:
        if self.link.connected and not self._was_connected:
            self._was_connected = True
            self.connections += 1
            self.backoff.reset()

    def misc(self) -> None:
        """paho's periodic work: a keepalive ping when due, the connection closed when its answer
        did not come."""
        if self.sock is not None and not self._muted:
            self.link.client.loop_misc()

    # -- connecting, forever ----------------------------------------------------------------------

    async def _run(self) -> None:
        host, port, _tls = self.link.settings.broker_address
        client = self.link.client
        while not self.finished:
            self._closed.clear()
            self._was_connected = False
            try:
                # on_pre_connect gives this attempt its session and will (FleetLink.prepare_connect).
                status = client.connect(host, port, keepalive=self.link.settings.keepalive)
            except (OSError, ValueError) as error:
                self.link.note_failure(f"cannot reach {host}:{port}: {error}")
            else:
                if status == MQTTErrorCode.MQTT_ERR_SUCCESS:
                    await self._closed.wait()
                else:
                    self.link.note_failure(f"cannot connect to {host}:{port}: {mqtt.error_string(status)}")
            self.link.connection_lost()
            if self.finished:
                return
            await asyncio.sleep(self.backoff.next_delay())

    # -- ending a connection ----------------------------------------------------------------------

    async def stop(self, clean: bool = True, timeout: float = 3.0) -> None:
        """Stop for good; when `clean` and connected, say `offline` first, then DISCONNECT (in
        that order on the wire, so the broker has the `offline` before the DISCONNECT)."""
        self.finished = True
        if clean and self.sock is not None:
            offline = self.link.say_offline()
            deadline = self.driver.loop.time() + timeout
            # Acknowledged before the DISCONNECT, as ThreadDriver waits for it.
            while offline is not None and not offline.is_published() and self.sock is not None:
                if self.driver.loop.time() > deadline:
                    break
                await asyncio.sleep(0.01)
            self.link.client.disconnect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), max(0.1, deadline - self.driver.loop.time()))
        self._abandon()

    def drop(self) -> bool:
        """End the connection without a word (no DISCONNECT): the broker publishes the will at
        once; the link connects again after its back-off. False when it was not connected."""
        sock = self.sock
        if sock is None or self.finished:
            return False
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # paho reads the end and closes as for a broken line
        return True

    def kill(self) -> None:
        """As when the kiosk's process is killed: its socket closed by the kernel, no DISCONNECT,
        nothing more from this link."""
        self.finished = True
        self._abandon()

    def silence(self) -> None:
        """As a power cut: nothing more read or sent, the socket left open; the broker sees the
        kiosk lost only when its keepalive runs out. `release()` closes the socket later."""
        self.finished = True
        self._muted = True
        sock = self.sock
        if sock is not None:
            self.driver.loop.remove_reader(sock)
            self.driver.loop.remove_writer(sock)
            self._silent_sock = sock
            self.driver.silenced.add(self)
            self.sock = None
        self.task.cancel()
        self.link.connection_lost()

    def release(self) -> None:
        """Close a silenced link's socket (the broker closed its end long ago, or does now)."""
        sock, self._silent_sock = self._silent_sock, None
        self.driver.silenced.discard(self)
        if sock is not None:
            sock.close()

    def _abandon(self) -> None:
        sock = self.sock
        if sock is not None:
            self.driver.loop.remove_reader(sock)
            self.driver.loop.remove_writer(sock)
            self.sock = None
            sock.close()
        self.task.cancel()
        self.link.connection_lost()
        self.release()


def _drain(sock: Any) -> None:
    """Read what the broker sent and nobody read: closing a socket with unread data makes the
    kernel reset the connection, and the broker may lose the DISCONNECT before it."""
    with contextlib.suppress(OSError):
        while sock.recv(65536):
            pass


class AsyncDriver:
    """Pumps any number of links in the running event loop; create it inside that loop."""

    def __init__(self, misc_interval: float = MISC_INTERVAL) -> None:
        self.loop = asyncio.get_running_loop()
        self.misc_interval = misc_interval
        self.pumps: set[Pump] = set()
        #: Silenced links whose sockets are still open.
        self.silenced: set[Pump] = set()
        self._sweeper = self.loop.create_task(self._sweep(), name="fleet-misc")

    def start(self, link: FleetLink, backoff: Backoff | None = None) -> Pump:
        """Connect `link` (at the loop's next turn) and keep it connected until stopped."""
        pump = Pump(self, link, backoff or Backoff())
        self.pumps.add(pump)
        pump.task.add_done_callback(lambda _task: self._finished(pump))
        return pump

    def _finished(self, pump: Pump) -> None:
        if pump.finished:
            self.pumps.discard(pump)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.misc_interval)
            for pump in list(self.pumps):
                try:
                    pump.misc()
                except Exception:
                    log.exception("fleet link %s: paho's periodic work failed", pump.link.topics.kiosk_id)

    async def close(self, clean: bool = True, timeout: float = 5.0) -> None:
        """Stop every link (cleanly: each says `offline`), then the sweeps."""
        pumps = list(self.pumps)
        await asyncio.gather(*(pump.stop(clean, timeout) for pump in pumps), return_exceptions=True)
        for pump in list(self.silenced):
            pump.release()
        self.pumps.clear()
        self._sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sweeper
