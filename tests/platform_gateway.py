"""A gateway for tests: a real HTTP server on loopback that checks each request's signature and
answers what the test tells it to (a document, a refusal, a 500, an answer dripped byte by byte).

    with GatewayServer(lambda request: Reply.ok([...])) as server:
        gateway = server.gateway(timeout=2)

Every request is recorded (method, path, query, headers, body), so a test counts attempts and sees
exactly what the kiosk sent. A request whose signature does not verify gets 401 BAD_SIGNATURE, as
from the real gateway.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.platform.gateway import HttpGateway
from kiosk.platform.signing import Signer, signature_matches

PAAS_ID = "test-kiosk"
TOKEN = "test-secret-token"


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    signed: bool


@dataclass(frozen=True)
class Reply:
    """What the server answers: a status, body bytes, headers; `drip` seconds between bytes."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0
    #: Seconds the server thinks before it answers.
    delay: float = 0.0
    #: Send this many bytes of zeros after the headers without a Content-Length (a huge answer).
    stream_bytes: int = 0

    @classmethod
    def ok(cls, data: Any) -> Reply:
        return cls.envelope("0", "成功", data)

    @classmethod
    def envelope(cls, code: str, msg: str, data: Any = None, status: int = 200) -> Reply:
        document = {"code": code, "msg": msg, "data": data}
        return cls(status, json.dumps(document, ensure_ascii=False).encode("utf-8"))


Answer = Callable[[Request], Reply]


class GatewayServer:
    """The server, on 127.0.0.1 and a free port, in a thread; stopped on leaving the `with`."""

    def __init__(self, answer: Answer, token: str = TOKEN, tls: tuple[Path, Path] | None = None) -> None:
        self.answer = answer
        self.token = token
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._scheme = "http"
        if tls is not None:  # (certificate, key): HTTPS, as a production gateway
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def gateway(
        self, timeout: float = 8.0, token: str = TOKEN, alg: str = "SHA256", ca_bundle: str = ""
    ) -> HttpGateway:
        """The kiosk's adapter pointed at this server."""
        signer = Signer(PAAS_ID, token, alg)  # type: ignore[arg-type]
        return HttpGateway(self.url, signer, timeout=timeout, ca_bundle=ca_bundle)

    def __enter__(self) -> GatewayServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                headers = dict(self.headers.items())
                signed = signature_matches(headers, body, server.token)
                request = Request(self.command, parts.path, parse_qs(parts.query), headers, body, signed)
                server.requests.append(request)
                reply = (
                    server.answer(request)
                    if signed
                    else Reply.envelope("BAD_SIGNATURE", "签名错误", status=401)
                )
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                time.sleep(reply.delay)
                try:
                    if reply.drip:
                        self._drip(reply)
                        return
                    self.date = reply.headers.get("Date")
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        if name != "Date":
                            self.send_header(name, value)
                    if reply.stream_bytes:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        block = b"0" * 65536
                        for _ in range(0, reply.stream_bytes, len(block)):
                            self.wfile.write(block)
                        return
                    if "Content-Length" not in reply.headers:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the kiosk gave up on this answer

            def _drip(self, reply: Reply) -> None:
                """The whole answer, status line and headers included, one byte at a time."""
                self.close_connection = True
                head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(reply.body)}\r\n\r\n"
                for byte in head.encode("ascii") + reply.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.drip)

            do_GET = do_POST = do_DELETE = _serve  # noqa: N815 - http.server's method names

            def date_time_string(self, timestamp: float | None = None) -> str:
                # The Date header the test gives (a gateway whose clock differs), else the real one.
                return getattr(self, "date", None) or super().date_time_string(timestamp)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the test reads requests
                pass

        return Handler


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to `folder` as PEM (the CA bundle is the
    certificate itself)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test gateway")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "gateway.pem", folder / "gateway.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


__all__ = [
    "PAAS_ID",
    "TOKEN",
    "Answer",
    "GatewayServer",
    "Reply",
    "Request",
    "closed_port",
    "self_signed_certificate",
]
