"""A private cupsd for tests and benchmarks: its own config, spool and port, never /etc/cups.

with PrivateCupsd() as cupsd:
    out = cupsd.add_queue("kiosk")          # a Generic-PDF queue on a file: URI
    ... KIOSK__DEVICES__PRINTER__SERVER=cupsd.server, queue "kiosk" ...
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from tests.daemons import Daemon, free_port, port_open, require_executable

#: cups-filters' generic PDF printer: the output file is the PDF behind a PJL header.
GENERIC_PDF_PPD = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"

_CUPSD_CONF = """\
Listen 127.0.0.1:{port}
Browsing No
WebInterface No
DefaultAuthType None
LogLevel info
# What the kiosk's appliance config says too: no document is kept once printed.
PreserveJobFiles No
MaxJobTime 0
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

_CUPS_FILES_CONF = """\
ServerRoot {root}/etc
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ServerBin /usr/lib/cups
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
FileDevice Yes
# Its own printcap, not the system's /run/cups/printcap. (An empty value once meant "none"; cups
# 2.4.2-3+deb12u11 refuses it: "Missing value for Printcap".)
Printcap {root}/state/printcap
"""


class PrivateCupsd:
    """cupsd -f with every directory under one temporary folder, listening on a free loopback port.

    The folder is made under /tmp rather than pytest's tmp_path because cupsd runs filters as the
    `lp` user, who cannot enter pytest's private (0700) folders.
    """

    def __init__(self) -> None:
        self.cupsd = require_executable("/usr/sbin/cupsd")
        self.lpadmin = require_executable("lpadmin")
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-cupsd-"))
        self.root.chmod(0o755)
        for name in ("etc", "spool", "cache", "state", "tmp", "log", "out"):
            (self.root / name).mkdir()
            (self.root / name).chmod(0o755)
        (self.root / "tmp").chmod(0o1777)
        self.port = free_port()
        cupsd_conf, cups_files = self.config_files
        cupsd_conf.write_text(_CUPSD_CONF.format(port=self.port))
        cups_files.write_text(_CUPS_FILES_CONF.format(root=self.root))
        self.daemon = Daemon(
            "cupsd",
            [self.cupsd, "-f", "-c", str(cupsd_conf), "-s", str(cups_files)],
            ready=port_open(self.port),
            log=self.root / "log" / "cupsd.out",
            # cupsd writes why it stopped (a refused directive, a port in use) only here.
            own_logs=[self.root / "log" / "error_log"],
        )

    @property
    def config_files(self) -> tuple[Path, Path]:
        """Its cupsd.conf and cups-files.conf."""
        return self.root / "etc" / "cupsd.conf", self.root / "etc" / "cups-files.conf"

    @property
    def server(self) -> str:
        """What CUPS_SERVER, lpadmin -h and devices.printer.server take."""
        return f"127.0.0.1:{self.port}"

    @property
    def spool(self) -> Path:
        """cupsd's RequestRoot: where job files and job history would be kept."""
        return self.root / "spool"

    def start(self) -> PrivateCupsd:
        """Start cupsd and wait until it accepts connections."""
        self.daemon.start()
        return self

    def stop(self) -> None:
        """Stop cupsd by its PID (the folder stays until close)."""
        self.daemon.stop()

    def close(self) -> None:
        """Stop cupsd and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def lp(self, *args: str) -> str:
        """Run a CUPS admin command (lpadmin, cupsdisable, ...) against this server; its output."""
        program, *rest = args
        result = subprocess.run(
            [require_executable(program), "-h", self.server, *rest],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def add_queue(self, name: str) -> Path:
        """An enabled, accepting Generic-PDF queue writing to a file; returns that file's path."""
        output = self.root / "out" / f"{name}.prn"
        self.lp("lpadmin", "-p", name, "-E", "-v", f"file://{output}", "-m", GENERIC_PDF_PPD)
        return output

    def __enter__(self) -> PrivateCupsd:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def pdf_inside(printed: bytes) -> bytes:
    """The PDF inside a Generic-PDF queue's output (after its PJL header, before the trailer)."""
    start = printed.index(b"%PDF-")
    end = printed.rindex(b"%%EOF") + len(b"%%EOF")
    return printed[start:end]
