"""A simulated provincial platform gateway: a real HTTP server on loopback for tests and demos.

    with PlatformSimulator() as platform:       # port 0: any free port
        requests.get(platform.url + "/v1/services", headers=Signer(DEMO_PAAS_ID, DEMO_TOKEN).headers(b""))
        platform.slow = 0.5                      # every answer half a second late
        platform.down = "503"                    # or "close": the connection drops unanswered
        platform.refuse_signatures = True        # 401 BAD_SIGNATURE for everything
        platform.retry_after = 30                # 429 with Retry-After: 30
        platform.garbage = "json"                # answers cut in half ("digest": documents' sha256 wrong)
        platform.trickle = 0.01                  # every answer's body a byte every 10 ms
        platform.document_pages = 500            # every document a 500-page PDF

The contract is /work/shared/reference/platform-api.md; the endpoints, checks and fictional data are
in sim_gateway.py and sim_data.py, documented in docs/platform-simulator.md. The log names the
method, the path with case, appointment and licence numbers masked, and the status: never a resident.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

from kiosk.platform import signing
from kiosk.platform.sim_data import halls_settings
from kiosk.platform.sim_documents import long_document
from kiosk.platform.sim_gateway import RESIDENT_TOKEN, Answer, Gateway, refusal

log = logging.getLogger(__name__)

#: The development gateway's application id; the kiosk's development settings use the same.
DEMO_PAAS_ID = "weihai-kiosk-demo"
#: The development gateway's token: public on purpose, never a production secret.
DEMO_TOKEN = "demo-token-for-the-platform-simulator-only"
#: The port `kiosk sim platform` listens on unless told otherwise, so development settings can name it.
DEMO_PORT = 8710
#: The development gateway's URL: `kiosk sim platform` with its default port.
DEMO_URL = f"http://127.0.0.1:{DEMO_PORT}"

DownMode = Literal["503", "close"]
GarbageMode = Literal["json", "digest"]
_READ_HEADERS = (*signing.SIGNED_HEADERS, RESIDENT_TOKEN)
_MAX_BODY = 8 * 1024 * 1024
_NUMBERED_PATH = re.compile(r"^(/v1/(?:cases|appointments|licences)/)([^/]+)")


def masked_path(target: str) -> str:
    """The request's path fit for a log line: no query string, numbers in the path masked."""
    path = target.split("?", 1)[0]

    def mask(match: re.Match[str]) -> str:
        number = match[2]
        if number == "slots":
            return match[0]
        shown = number[:2] + "*" * max(len(number) - 4, 3) + number[-2:] if len(number) > 6 else "***"
        return match[1] + shown

    return _NUMBERED_PATH.sub(mask, path)


class PlatformSimulator:
    """The gateway served over HTTP on 127.0.0.1, with switches to make it slow, down or refusing."""

    def __init__(
        self,
        port: int = 0,
        paas_id: str = DEMO_PAAS_ID,
        token: str = DEMO_TOKEN,
        *,
        slow: float = 0.0,
        down: DownMode | None = None,
        refuse_signatures: bool = False,
        retry_after: int | None = None,
        garbage: GarbageMode | None = None,
        trickle: float = 0.0,
        document_pages: int | None = None,
    ) -> None:
        self.gateway = Gateway(paas_id, token)
        self._token = token
        #: Seconds every answer is delayed by.
        self.slow = slow
        #: None (up), "503" (answers 503) or "close" (drops every connection unanswered).
        self.down: DownMode | None = down
        #: When true, every request is refused with 401 BAD_SIGNATURE.
        self.refuse_signatures = refuse_signatures
        #: When set, every request is refused with 429 and this Retry-After (seconds).
        self.retry_after = retry_after
        #: None, "json" (every answer's JSON cut in half) or "digest" (documents with a wrong sha256).
        self.garbage: GarbageMode | None = garbage
        #: Seconds between the bytes of every answer's body (0: all at once).
        self.trickle = trickle
        #: When set, every document is a PDF of this many pages (its file name and verify code kept).
        self.document_pages = document_pages
        self._server = _Server(("127.0.0.1", port), _Handler, self)
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"PlatformSimulator(url={self.url!r}, paas_id={self.paas_id!r}, token=<hidden>)"

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen when started with port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The gateway's base URL, e.g. http://127.0.0.1:8765 (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def paas_id(self) -> str:
        """The application id requests must carry."""
        return self.gateway.paas_id

    @property
    def ratings(self) -> list[dict[str, Any]]:
        """Every rating accepted, once per rating_id, as received."""
        return self.gateway.ratings

    @property
    def services(self) -> list[str]:
        """The service ids listed, in order: remove one to switch it off, reorder to reorder."""
        return self.gateway.services

    def live_sessions(self) -> int:
        """How many residents' platform sessions are open now."""
        return self.gateway.live_sessions()

    def expire_sessions(self) -> None:
        """End every resident's platform session now (their calls answer SESSION_EXPIRED)."""
        self.gateway.expire_sessions()

    def kiosk_settings(self) -> dict[str, Any]:
        """The `[platform]` settings of a kiosk using this simulator: its address, the demo
        credentials, and the simulator's halls for appointments."""
        return {"url": self.url, "paas_id": self.paas_id, "token": self._token, "halls": halls_settings()}

    def start(self) -> PlatformSimulator:
        """Serve in a background thread; returns self."""
        # A short poll so that stop() (every test's teardown) returns at once, not after 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="platform-sim", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the command line)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> PlatformSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer | None:
        """The answer to one request after the switches, or None to drop the connection."""
        if self.slow > 0:
            time.sleep(self.slow)
        if self.down == "close":
            return None
        if self.down == "503":
            return refusal("UNAVAILABLE", 503, "政务服务平台暂时无法访问，请稍后再试或到窗口办理。")
        if self.retry_after is not None:
            answer = refusal("RATE_LIMITED", 429, "办理的人较多，请稍后再试。")
            answer.headers["Retry-After"] = str(self.retry_after)
            return answer
        if self.refuse_signatures:
            return refusal("BAD_SIGNATURE", 401)
        answer = self.gateway.handle(method, target, headers, body)
        data = answer.envelope.get("data")
        changes_documents = self.document_pages is not None or self.garbage == "digest"
        if not (changes_documents and isinstance(data, dict) and "document" in data):
            return answer
        document = data["document"]
        if self.document_pages is not None:
            document = long_document(document, self.document_pages)
        if self.garbage == "digest":
            document = {**document, "sha256": hashlib.sha256(b"another document").hexdigest()}
        envelope = {**answer.envelope, "data": {**data, "document": document}}
        return Answer(answer.status, envelope, answer.headers)

    def payload(self, answer: Answer) -> bytes:
        """The bytes of an answer's body (cut in half when the simulator answers garbage JSON)."""
        payload = json.dumps(answer.envelope, ensure_ascii=False).encode("utf-8")
        return payload[: len(payload) // 2] if self.garbage == "json" else payload


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], simulator: PlatformSimulator
    ) -> None:
        super().__init__(address, handler)
        self.simulator = simulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its deadline passed while the simulator was slow) is no error; the
        rest is logged, never printed to stderr from a thread that may outlive its test."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            log.debug("client %s went away before the answer (%s)", client_address[0], type(error).__name__)
            return
        log.exception("platform simulator: request from %s failed", client_address[0])


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "PlatformSimulator/1"
    #: Headers and body go out in two writes: without this, Nagle's algorithm holds the body back
    #: until the client acknowledges the headers (about 40 ms a step on loopback).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._send(refusal("BAD_REQUEST", 413, "请求内容过大。"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        # http.server's headers are case-insensitive; the gateway gets the ones it reads, by their names.
        headers = {name: value for name in _READ_HEADERS if (value := self.headers.get(name)) is not None}
        answer = self.server.simulator.answer(self.command, self.path, headers, body)
        if answer is None:
            log.info("%s %s dropped", self.command, masked_path(self.path))
            self.close_connection = True
            return
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        simulator = self.server.simulator
        payload = simulator.payload(answer)
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if simulator.trickle <= 0:
            self.wfile.write(payload)
            return
        try:
            for index in range(len(payload)):  # a platform that answers byte by byte
                self.wfile.write(payload[index : index + 1])
                time.sleep(simulator.trickle)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting, as it should
            self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, masked_path(self.path), code)

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's own messages may quote the request line; only the kind of message is kept.
        log.warning("platform simulator: %s", format.split("%", 1)[0].strip() or "error")
