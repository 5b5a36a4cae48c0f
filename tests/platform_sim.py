"""The platform simulator for tests: a signed client for it, and `kiosk sim platform` as a daemon.

In process, `with PlatformSimulator() as platform:` serves on a free port, and
`PlatformClient(platform.url).call("GET", "/v1/services")` sends a request signed as the contract says.
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from kiosk.platform.signing import Signer
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN
from tests.daemons import Daemon, free_port, port_open

CARDS = Path(__file__).resolve().parents[1] / "config" / "demo" / "cards"


@dataclass
class PlatformClient:
    """Signs and sends requests to the simulator the way the contract says (not the kiosk's adapter)."""

    url: str
    signer: Signer = field(default_factory=lambda: Signer(DEMO_PAAS_ID, DEMO_TOKEN))
    http: requests.Session = field(default_factory=requests.Session)

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        resident_token: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> requests.Response:
        """One signed request; `headers` replace or add to the signed ones."""
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        sent = self.signer.headers(payload)
        if body is not None:
            sent["Content-Type"] = "application/json; charset=utf-8"
        if resident_token is not None:
            sent["X-Resident-Token"] = resident_token
        sent.update(headers or {})
        return self.http.request(method, self.url + path, data=payload, headers=sent, timeout=timeout)

    def data(self, method: str, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The `data` of a successful answer (fails the test with the envelope otherwise)."""
        answer = self.call(method, path, body, **kwargs)
        envelope = answer.json()
        assert answer.status_code == 200 and envelope["code"] == "0", f"{answer.status_code} {envelope}"
        return envelope["data"]

    def sign_in(self, card: str = "resident.json", face: bool = False) -> str:
        """A resident's platform token, identified by a demo ID card file (with a face: level face)."""
        fields = json.loads((CARDS / card).read_text(encoding="utf-8"))
        body = {"method": "id_card", "id_number": fields["id_number"], "name": fields["name"], "face": None}
        if face:
            body["face"] = {"image_jpeg_base64": FACE_JPEG_BASE64}
        token: str = self.data("POST", "/v1/auth/session", body)["token"]
        return token


#: A JPEG's first bytes, base64: all the simulator looks at in a face picture.
FACE_JPEG_BASE64 = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)).decode("ascii")


def simulator_daemon(log: Path, *options: str) -> tuple[Daemon, str]:
    """`kiosk sim platform` on a free loopback port, as a daemon; returns it and its URL."""
    port = free_port()
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    argv = [kiosk, "sim", "platform", "--port", str(port), *options]
    return Daemon("kiosk sim platform", argv, ready=port_open(port), log=log), f"http://127.0.0.1:{port}"
