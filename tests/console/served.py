"""The console served for real (uvicorn on a free loopback port, in a thread of the test), for the
browser and the tests that need a socket: `with ServedConsole(settings, db) as served: served.url`."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from console.cli import server_config
from console.db import Database
from console.settings import ConsoleSettings
from console.web.app import create_app
from tests.daemons import free_port


class ServedConsole:
    """uvicorn serving the console app (with its background work) until stopped."""

    def __init__(self, settings: ConsoleSettings, db: Database, *, background: bool = True) -> None:
        self.port = free_port()
        self.settings = settings.model_copy(update={"listen_host": "127.0.0.1", "listen_port": self.port})
        self.app = create_app(self.settings, background=background, db=db)
        self.server = uvicorn.Server(server_config(self.settings, self.app))
        self._thread = threading.Thread(target=self.server.run, name="served-console", daemon=True)

    @property
    def url(self) -> str:
        # Plain http, as `kiosk-console demo` serves: browsers keep Secure cookies for loopback
        # (127.0.0.1, localhost) as for https.
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> object:
        return self.app.state.console

    def start(self) -> ServedConsole:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the console did not start on port {self.port} (its log is above)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the console did not start on port {self.port} in 20 s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=15)

    def __enter__(self) -> ServedConsole:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
