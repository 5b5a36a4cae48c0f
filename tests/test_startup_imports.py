"""What `kiosk run` has loaded when its attract screen is up: nothing a resident has not asked for yet.

A kiosk restarted by its watchdog shows a black screen until READY=1, and every module loaded
before it costs start time and memory for as long as the kiosk lives. The kiosk runs in a child
process on its embedded defaults; a thread of that same process plays systemd's notify socket and,
at READY=1, writes down the modules loaded at that moment. No hook in the kiosk: it says READY=1
as it does under systemd.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Loaded for a resident's or a technician's later request, never for the attract screen. (PIL and
#: numpy are not here: Kivy itself loads them, in the bare floor of bench/kivy_floor.py too.)
LATER = {
    "pypinyin": "pinyin of guide names (search index), only when guides are indexed",
    "babel": "the translation tools' reader (the kiosk reads its .po files itself), never at run time",
    "opencc": "Traditional-to-Simplified folding, only when a query is searched or guides indexed",
    "reportlab": "PDF rendering, only when something is printed",
    "segno": "QR codes, only when one is shown or printed",
    "cv2": "the camera, only when a code is scanned",
    "pyzbar": "barcode decoding, only when a code is scanned",
    "tuf": "TUF verification, only when the kiosk syncs",
    "securesystemslib": "TUF's signatures, only when the kiosk syncs",
    "urllib3": "HTTP, only when the kiosk syncs or calls the platform",
    "cryptography": "signatures, only for sync, the fleet channel or the platform",
    "kiosk.documents": "printed documents, only when printing",
    "kiosk.doctor.report": "the self-test, only when a technician or the fleet runs it",
    "kiosk.sync.client": "sync, only when it runs",
    "screens.search": "the search screen, only when a resident opens it",
    "screens.technician": "technician mode, only when it is opened",
    "screens.services": "online services, only when a resident opens them",
}

#: Runs the kiosk in this process and listens on its notify socket from a thread.
DRIVER = """
import json, os, socket, sys, tempfile, threading
folder = tempfile.mkdtemp(prefix="startup-imports-")
address = os.path.join(folder, "notify")
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind(address)
os.environ["NOTIFY_SOCKET"] = address

def listen():
    while True:
        message = receiver.recv(4096).decode()
        if "READY=1" in message.splitlines():
            print("MODULES " + json.dumps(sorted(sys.modules)), flush=True)
            os._exit(0)

threading.Thread(target=listen, daemon=True).start()
from kiosk.cli import main
main(args=["run", "--size", "1280x720"])
print("EXITED WITHOUT READY", flush=True)
"""


def modules_at_ready(tmp_path: Path) -> set[str]:
    site = tmp_path / "site.toml"
    site.write_text("", encoding="utf-8")
    environ = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "KIOSK_CONFIG": str(site),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
    }
    # A restart, as a watchdog does it: the data directory holds the catalogue already (the first
    # start of a kiosk imports the demo guides, and indexing them needs pinyin).
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    demo = Path(__file__).resolve().parents[1] / "config" / "demo" / "guides.jsonl"
    imported = subprocess.run(
        [kiosk, "guides", "import", str(demo)], env=environ, capture_output=True, text=True, check=False
    )
    assert imported.returncode == 0, imported.stderr
    result = subprocess.run(
        [sys.executable, "-c", DRIVER], env=environ, capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("MODULES ")]
    assert lines, f"kiosk run never said READY=1 (exit {result.returncode}):\n{result.stderr[-3000:]}"
    return set(json.loads(lines[0].removeprefix("MODULES ")))


def test_the_attract_screen_loads_nothing_a_resident_has_not_asked_for(tmp_path: Path) -> None:
    loaded = modules_at_ready(tmp_path)
    assert "kivy.core.window" in loaded and "screens.attract" in loaded  # it did start the UI
    early = {
        name: reason
        for name, reason in LATER.items()
        if name in loaded or any(module.startswith(name + ".") for module in loaded)
    }
    assert not early, "loaded before the first touch: " + "; ".join(f"{n} ({r})" for n, r in early.items())
