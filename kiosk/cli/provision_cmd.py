"""`kiosk provision`: the field technician's setup of a kiosk, question by question or all as flags."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from kiosk.cli.choices import choose
from kiosk.devices import NO_DEVICE, SIMULATOR, SIMULATORS_RUN_IN, DriverContext
from kiosk.digits import ascii_digits
from kiosk.doctor import Check, Status
from kiosk.paths import data_dir, resolve_data_dir
from kiosk.ports import DeviceError
from kiosk.provision.detect import Candidate
from kiosk.provision.draft import SiteDraft
from kiosk.provision.enrolment import ProvisionError, check_trust_root, fleet_settings, store_trust_root
from kiosk.provision.probe import Detected, check_devices, detect_safely, probe_id_reader_ports
from kiosk.settings import SettingsError
from kiosk.settings.loader import site_file
from kiosk.settings.schema import (
    IdReaderSection,
    PrinterSection,
    ScannerSection,
    SocialSecurityReaderSection,
)
from kiosk.technician import PinFormatError, hash_pin, is_pin_hash

#: The questions about the site: (option, its flag, the settings key, the prompt).
IDENTITY = (
    ("kiosk_id", "--kiosk-id", "kiosk.id", "Kiosk id (in the fleet, on printouts)"),
    ("site_name", "--site-name", "kiosk.site_name", "Site name (on the attract screen)"),
    ("site_address", "--site-address", "kiosk.site_address", "Site address"),
    ("help_desk", "--help-desk", "kiosk.help_desk", "Where residents get help from a person"),
)
PIN_FLAGS = "--pin, --pin-file, --pin-hash or KIOSK_PROVISION_PIN"
SIM = SIMULATOR
AUTO = "auto"
ESPEAK = "espeak"
#: The answers that name no real device: its simulator (a laptop, a showroom), or none at all.
NOT_REAL = (SIM, NO_DEVICE)


@dataclass
class Fleet:
    """The fleet repository a kiosk syncs from, its trust root checked."""

    repo_url: str
    group: str
    root_bytes: bytes


class Provisioning:
    """One run of `kiosk provision`: flags checked first, questions asked (or not), devices tested."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.interactive = not options["non_interactive"]
        try:
            self.draft = SiteDraft.open(site_file())
        except SettingsError as error:
            raise click.ClickException(f"nothing was changed: {error}") from error
        self.fleet: Fleet | None = None
        self.pin_changed = False

    # -- flags, before any question -----------------------------------------------------------

    def check_flags(self) -> None:
        """Every flag given is valid, and (non-interactive) nothing needed is missing."""
        for option, flag, key, _ in IDENTITY:
            if self.options[option] is not None:
                self._set(flag, {key: self.options[option]})
        self._check_fleet_flags()
        self._check_pin_flags()
        if self.options["scanner"] is not None:
            _scanner_values(self.options["scanner"])
        if not self.interactive:
            missing = self._missing()
            if missing:
                raise click.UsageError(
                    f"--non-interactive: missing {'; '.join(missing)} "
                    f"(neither given nor already in {self.draft.path})"
                )

    def _check_fleet_flags(self) -> None:
        given = [self.options[name] is not None for name in ("repo_url", "group", "trust_root")]
        if self.options["no_sync"] and any(given):
            raise click.UsageError("--no-sync cannot be combined with --repo-url, --group or --trust-root")
        if any(given) and not all(given):
            raise click.UsageError("--repo-url, --group and --trust-root go together: give all three")
        if all(given):
            self.fleet = self._fleet(
                self.options["repo_url"], self.options["group"], self.options["trust_root"]
            )

    def _fleet(self, repo_url: str, group: str, trust_root: Path) -> Fleet:
        try:
            root_bytes = check_trust_root(trust_root)
        except ProvisionError as error:
            # The file exists but is not a trust root: a refused check (exit 1), as ever since
            # provisioning was fleet-only, not a usage error.
            raise click.ClickException(f"nothing was changed: {error}") from error
        # The kiosk id is answered on its own (a question, --kiosk-id); the fleet's keys are the rest.
        values = fleet_settings(self.draft.in_force("kiosk.id"), group, repo_url)
        self._set("--repo-url/--group", {key: value for key, value in values.items() if key != "kiosk.id"})
        return Fleet(repo_url, group, root_bytes)

    def _check_pin_flags(self) -> None:
        pin, pin_file, pin_hash = self.options["pin"], self.options["pin_file"], self.options["pin_hash"]
        if sum(value is not None for value in (pin, pin_file, pin_hash)) > 1:
            raise click.UsageError(f"give the technician PIN once: one of {PIN_FLAGS}")
        if pin_hash is not None:
            if not is_pin_hash(pin_hash):
                raise click.UsageError(
                    "--pin-hash: not a hash made by `kiosk provision` (scrypt$n$r$p$salt$hash)"
                )
            self._set("--pin-hash", {"technician.pin_hash": pin_hash})
        elif pin is not None or pin_file is not None:
            source = "--pin (or KIOSK_PROVISION_PIN)" if pin is not None else "--pin-file"
            lines = [] if pin is not None else Path(pin_file).read_text(encoding="utf-8").splitlines()
            text = pin if pin is not None else (lines or [""])[0].strip()
            try:
                self._set(source, {"technician.pin_hash": hash_pin(text)})
            except PinFormatError as error:
                raise click.UsageError(f"{source}: {error}") from error
        self.pin_changed = "technician.pin_hash" in self.draft.changes

    def _missing(self) -> list[str]:
        missing = [flag for _, flag, key, _ in IDENTITY if not self.draft.has(key)]
        devices = (
            ("id_reader_port", "--id-reader-port", "id_reader"),
            ("sscard_reader", "--sscard-reader", "sscard_reader"),
            ("scanner", "--scanner", "scanner"),
            ("printer_queue", "--printer-queue or --printer-device", "printer"),
            # Left on its simulator, an appliance's speaker would be out of service; a laptop's is fine.
            *((("speaker", "--speaker", "speaker"),) if self._no_device() == NO_DEVICE else ()),
        )
        for option, flag, device in devices:
            given = self.options[option] or (device == "printer" and self.options["printer_device"])
            if not given and not self.draft.has(f"devices.{device}.driver"):
                missing.append(flag)
        if (
            not self.draft.site_value("technician.pin_hash")
            and "technician.pin_hash" not in self.draft.changes
        ):
            missing.append(f"the technician PIN ({PIN_FLAGS})")
        return missing

    def _set(self, source: str, values: dict[str, Any]) -> None:
        try:
            self.draft.set_dotted(values)
        except SettingsError as error:
            raise click.UsageError(f"{source}: {error.key}: {error.reason}") from error

    # -- the questions ------------------------------------------------------------------------

    def ask_identity(self) -> None:
        """Kiosk id, site name and address, help desk: asked with the site file's (or detected) value."""
        if not self.interactive:
            return
        click.echo("\n== This kiosk")
        for _, _, key, text in IDENTITY:
            default = self.draft.changes.get(key) or self.draft.site_value(key)
            if key == "kiosk.id" and default is None:
                default = _hostname_id()
            click.prompt(text, default=default, value_proc=self._validator(key))

    def ask_fleet(self) -> None:
        """Whether the kiosk syncs, and from where (repository, group, trust root)."""
        if self.options["no_sync"]:
            self._set("--no-sync", {"sync.repo_url": "", "sync.group": ""})
            return
        if not self.interactive or self.fleet is not None:
            return
        click.echo("\n== Fleet (guides and configuration from a TUF repository)")
        current = self.draft.site_value("sync.repo_url")
        if current and click.confirm(
            f"Keep syncing from {current} (group {self.draft.in_force('sync.group')})?", default=True
        ):
            return
        if not click.confirm("Does this kiosk sync from a fleet repository?", default=bool(current)):
            self._set("sync", {"sync.repo_url": "", "sync.group": ""})
            return
        repo_url = click.prompt("Repository URL", value_proc=self._validator("sync.repo_url"))
        group = click.prompt("Group", value_proc=self._validator("sync.group"))
        while self.fleet is None:
            path = click.prompt(
                "Trust root (1.root.json from `kiosk fleet init`)", type=click.Path(path_type=Path)
            )
            try:
                self.fleet = Fleet(repo_url, group, check_trust_root(path))
            except ProvisionError as error:
                click.echo(f"Error: {error}", err=True)

    def ask_id_reader(self, context: DriverContext) -> None:
        """The serial port of the ID card reader: detected and given ports, each asked for its SAM status."""
        given: list[str] = list(self.options["id_reader_port"])
        if len(given) == 1 and given[0] in NOT_REAL:
            self._set("--id-reader-port", {"devices.id_reader.driver": given[0]})
            return
        explicit = [port for port in given if port not in {AUTO, *NOT_REAL}]
        if not self.interactive and (not given or (len(explicit) == 1 and len(given) == 1)):
            if explicit:
                self._set(
                    "--id-reader-port",
                    {"devices.id_reader.driver": "serial", "devices.id_reader.port": explicit[0]},
                )
            return
        section = self._section(IdReaderSection, "id_reader", driver="serial")
        detected = _values(detect_safely("id_reader", section)) if self.interactive or AUTO in given else []
        current = self.draft.site_value("devices.id_reader.port")
        ports = _unique([*explicit, *detected, *([current] if current and self.interactive else [])])
        if self.interactive:
            click.echo("\n== ID card reader (serial ports, each asked for its SAM status)")
        probes = probe_id_reader_ports(section, ports, context)
        answering = [port for port, check in probes if check.status is Status.OK]
        if not self.interactive:
            if not answering:
                tried = "; ".join(check.detail for _, check in probes) or "no serial port detected"
                raise click.UsageError(f"--id-reader-port: no port answered the SAM status command ({tried})")
            self._set(
                "--id-reader-port",
                {"devices.id_reader.driver": "serial", "devices.id_reader.port": answering[0]},
            )
            return
        options = [(port, f"{port}: {check.status.upper()}, {check.detail}") for port, check in probes]
        options += self._not_real("ID card reader")
        default = answering[0] if answering else explicit[0] if explicit else current or self._no_device()
        port = choose(options, default, free_text="a port path")
        if port in NOT_REAL:
            self._set("ID card reader", {"devices.id_reader.driver": port})
        else:
            self._set(
                "ID card reader", {"devices.id_reader.driver": "serial", "devices.id_reader.port": port}
            )

    def ask_sscard_reader(self) -> None:
        """The PC/SC reader for social security cards, among those pcscd lists."""
        flag = self.options["sscard_reader"]
        if flag in NOT_REAL:
            self._set("--sscard-reader", {"devices.sscard_reader.driver": flag})
            return
        if not self.interactive and flag is None:
            return
        if not self.interactive and flag != AUTO:
            self._set(
                "--sscard-reader",
                {"devices.sscard_reader.driver": "pcsc", "devices.sscard_reader.reader": flag},
            )
            return
        found = detect_safely(
            "sscard_reader", self._section(SocialSecurityReaderSection, "sscard_reader", driver="pcsc")
        )
        if not self.interactive:
            if not found.candidates:
                raise click.UsageError(
                    f"--sscard-reader auto: no PC/SC reader found {found.problem or '(pcscd lists none)'}"
                )
            chosen = found.candidates[0].value
        else:
            click.echo("\n== Social security card reader (PC/SC, through pcscd)")
            if found.problem:
                click.echo(f"  ({found.problem})")
            options = [(c.value, c.label) for c in found.candidates]
            options += self._not_real("social security card reader")
            current = self.draft.site_value("devices.sscard_reader.reader")
            found_first = found.candidates[0].value if found.candidates else self._no_device()
            default = flag if flag not in {None, AUTO} else current or found_first
            chosen = choose(options, default, free_text="a reader name")
        if chosen in NOT_REAL:
            self._set("social security card reader", {"devices.sscard_reader.driver": chosen})
        else:
            self._set(
                "social security card reader",
                {"devices.sscard_reader.driver": "pcsc", "devices.sscard_reader.reader": chosen},
            )

    def ask_scanner(self) -> None:
        """The code scanner: a camera (/dev/video*), a serial scanner, or the simulator."""
        flag = self.options["scanner"]
        if flag is not None and (flag in NOT_REAL or not self.interactive):
            self._set("--scanner", _scanner_values(flag))
            return
        if not self.interactive:
            return
        click.echo("\n== Code scanner")
        cameras = detect_safely("scanner", self._section(ScannerSection, "scanner", driver="camera"))
        serials = detect_safely("scanner", self._section(ScannerSection, "scanner", driver="serial"))
        id_port = self.draft.in_force("devices.id_reader.port")
        options = [(f"camera:{c.value}", c.label) for c in cameras.candidates]
        options += [
            (f"serial:{c.value}", f"serial scanner on {c.label}")
            for c in serials.candidates
            if c.value != id_port
        ]
        options += self._not_real("scanner")
        driver = self.draft.site_value("devices.scanner.driver")
        current = (
            f"{driver}:{self.draft.site_value('devices.scanner.port')}"
            if driver in {"camera", "serial"}
            else driver
        )
        default = flag or current or (options[0][0] if len(options) > 2 else self._no_device())
        while True:
            chosen = choose(options, default, free_text="camera:DEVICE or serial:PORT")
            try:
                self._set("scanner", _scanner_values(chosen))
                return
            except click.UsageError as error:
                click.echo(f"Error: {error.message}", err=True)

    def ask_printer(self) -> None:
        """The CUPS queue to print on, or a new queue for a printer attached to the kiosk."""
        server = self.options["printer_server"]
        if server is not None:
            self._set("--printer-server", {"devices.printer.server": server})
        queue, device = self.options["printer_queue"], self.options["printer_device"]
        if queue in NOT_REAL:
            self._set("--printer-queue", {"devices.printer.driver": queue})
            return
        if not self.interactive and device is None:
            if queue is not None:
                self._set(
                    "--printer-queue", {"devices.printer.driver": "cups", "devices.printer.queue": queue}
                )
            return
        section = self._section(PrinterSection, "printer", driver="cups")
        if device is not None:
            self._add_queue(section, device, queue)
            return
        click.echo("\n== Printer (CUPS)")
        found = detect_safely("printer", section)
        if found.problem:
            click.echo(f"  ({found.problem})")
        options = [(str(n), c.label) for n, c in enumerate(found.candidates)]
        options += self._not_real("printer")
        current = self.draft.site_value("devices.printer.queue")
        by_queue = {c.value: str(n) for n, c in enumerate(found.candidates) if c.prepare is None}
        default = by_queue.get(
            queue or current or "", options[0][0] if found.candidates else self._no_device()
        )
        chosen = choose(options, default, free_text="a queue name")
        if chosen in NOT_REAL:
            self._set("printer", {"devices.printer.driver": chosen})
            return
        if ascii_digits(chosen) and int(chosen) < len(found.candidates):
            chosen = self._prepared(found.candidates[int(chosen)])
        self._set("printer", {"devices.printer.driver": "cups", "devices.printer.queue": chosen})

    def _add_queue(self, section: PrinterSection, device: str, queue: str | None) -> None:
        """--printer-device: the queue that prints on `device`, added when there is none yet."""
        found = detect_safely("printer", section)
        if found.problem:
            raise click.UsageError(f"--printer-device: {found.problem}")
        candidate = next((c for c in found.candidates if c.device == device), None)
        if candidate is None:
            listed = ", ".join(sorted({c.device for c in found.candidates})) or "none"
            raise click.UsageError(
                f"--printer-device: cupsd at {section.server or 'the system server'} does not offer "
                f"{device} (local printers and queues: {listed})"
            )
        self._set(
            "--printer-device",
            {"devices.printer.driver": "cups", "devices.printer.queue": self._prepared(candidate, queue)},
        )

    def _prepared(self, candidate: Candidate, name: str | None = None) -> str:
        if candidate.prepare is None:
            return candidate.value
        try:
            added = candidate.prepare(name or candidate.value)
        except DeviceError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"  added CUPS queue {added!r} for {candidate.device}")
        return added

    def ask_speaker(self) -> None:
        """Voice guidance: espeak-ng on the kiosk's audio output, its simulator, or none."""
        flag = self.options["speaker"]
        if flag is not None:
            self._set("--speaker", {"devices.speaker.driver": flag})
            return
        if not self.interactive:
            return
        click.echo("\n== Voice guidance (speaker)")
        options = [
            (ESPEAK, "espeak-ng on the audio output (Mandarin and English)"),
            *self._not_real("speaker"),
        ]
        current = self.draft.site_value("devices.speaker.driver")
        default = current or (SIM if self._no_device() == SIM else ESPEAK)
        chosen = choose(options, default, free_text="a driver name")
        self._set("speaker", {"devices.speaker.driver": chosen})

    def ask_display(self) -> None:
        """Screen rotation and touch calibration (how the panel and its touch layer are mounted)."""
        values: dict[str, Any] = {}
        if self.options["rotation"] is not None:
            values["display.rotation"] = int(self.options["rotation"])
        for name in ("touch_swap_xy", "touch_invert_x", "touch_invert_y"):
            if self.options[name] is not None:
                values[f"display.{name}"] = self.options[name]
        if not self.interactive:
            self._set("display", values)
            return
        click.echo("\n== Screen")
        rotation = click.prompt(
            "Screen rotation, degrees (how the panel is mounted)",
            type=click.Choice(["0", "90", "180", "270"]),
            default=str(values.get("display.rotation", self.draft.in_force("display.rotation"))),
        )
        values["display.rotation"] = int(rotation)
        questions = (
            ("touch_swap_xy", "Touch: swap x and y?"),
            ("touch_invert_x", "Touch: invert x?"),
            ("touch_invert_y", "Touch: invert y?"),
        )
        for name, text in questions:
            key = f"display.{name}"
            values[key] = click.confirm(text, default=bool(values.get(key, self.draft.in_force(key))))
        self._set("display", values)

    def ask_pin(self) -> None:
        """The technician PIN, typed twice and hidden; only its hash is kept."""
        if not self.interactive or "technician.pin_hash" in self.draft.changes:
            return
        click.echo("\n== Technician PIN (opens technician mode on the screen)")
        if self.draft.site_value("technician.pin_hash") and click.confirm(
            "Keep the technician PIN already set?", default=True
        ):
            return

        def hashed(text: str) -> str:
            try:
                return hash_pin(text)
            except PinFormatError as error:
                raise click.BadParameter(str(error)) from error

        # The confirmation compares the typed texts; the hash is made once, from the first.
        pin_hash = click.prompt(
            "New PIN (digits)", hide_input=True, confirmation_prompt=True, value_proc=hashed
        )
        self._set("technician PIN", {"technician.pin_hash": pin_hash})
        self.pin_changed = True

    # -- testing, saving, the summary -----------------------------------------------------------

    def test_and_save(self) -> None:
        """Check the chosen devices as the doctor does; save when they pass, or the technician says so."""
        try:
            settings = self.draft.settings()
            data = data_dir(settings)
        except SettingsError as error:
            raise click.ClickException(f"nothing was saved: {error}") from error
        if self.interactive:
            click.echo("\n== Testing the devices")
        checks = check_devices(settings, data)
        failed = [check.name for check in checks if check.status is Status.FAIL]
        if self.interactive or failed:
            click.echo(_check_lines(checks))
        if failed and not self.options["allow_failing"]:
            names = ", ".join(failed)
            if not self.interactive:
                raise click.ClickException(
                    f"nothing was saved: {names} failed the test; fix it, or pass --allow-failing"
                )
            if not click.confirm(f"{names} failed the test. Save anyway?", default=False):
                raise click.ClickException(f"nothing was saved: {names} failed the test")
        trust = store_trust_root(self.fleet.root_bytes, data) if self.fleet else None
        try:
            self.draft.save()
        except SettingsError as error:
            raise click.ClickException(f"nothing was saved: {error}") from error
        self._summary(settings.kiosk.id, settings.kiosk.site_name, checks, trust)

    def _summary(self, kiosk_id: str, site_name: str, checks: list[Check], trust: Path | None) -> None:
        settings = self.draft.settings()
        display = settings.display
        touch = [
            name
            for name, on in (("swap x/y", display.touch_swap_xy), ("invert x", display.touch_invert_x),
                             ("invert y", display.touch_invert_y))
            if on
        ]  # fmt: skip
        sync = (
            f"{settings.sync.repo_url} (group {settings.sync.group}), trust root {trust}"
            if trust
            else settings.sync.repo_url or "off"
        )
        pin = "set (stored as a salted scrypt hash)" if self.pin_changed else "unchanged"
        click.echo(f"\n== Provisioned {kiosk_id} ({site_name})")
        click.echo(f"site file:      {self.draft.path} (mode 0640)")
        click.echo(f"sync:           {sync}")
        click.echo(f"display:        rotation {display.rotation}, touch {', '.join(touch) or 'as mounted'}")
        click.echo(f"technician PIN: {pin}")
        click.echo("devices:")
        click.echo(_check_lines(checks))
        click.echo("next: kiosk doctor")

    # -- helpers --------------------------------------------------------------------------------

    def _validator(self, key: str) -> Any:
        def check(text: str) -> str:
            try:
                self.draft.set_dotted({key: text})
            except SettingsError as error:
                raise click.BadParameter(f"{error.key}: {error.reason}") from error
            return text

        return check

    def _not_real(self, device: str) -> list[tuple[str, str]]:
        """The choices that name no real device, as the kiosk's mode treats them."""
        if self.draft.in_force("kiosk.mode") in SIMULATORS_RUN_IN:
            simulator = "the simulator (a laptop, or a showroom kiosk)"
        else:
            simulator = "the simulator: out of service on this appliance (a showroom sets kiosk.mode)"
        return [(SIM, simulator), (NO_DEVICE, f"none: this kiosk has no {device} (residents are told so)")]

    def _no_device(self) -> str:
        """What an unanswered device defaults to: its simulator on a laptop, none on an appliance."""
        return SIM if self.draft.in_force("kiosk.mode") in SIMULATORS_RUN_IN else NO_DEVICE

    def _section(self, model: type[Any], device: str, **override: Any) -> Any:
        defaults = {key: self.draft.in_force(f"devices.{device}.{key}") for key in model.model_fields}
        return model.model_validate({**defaults, **override})


def _values(found: Detected) -> list[str]:
    return [candidate.value for candidate in found.candidates]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _scanner_values(answer: str) -> dict[str, Any]:
    if answer in NOT_REAL:
        return {"devices.scanner.driver": answer}
    driver, _, port = answer.partition(":")
    if driver not in {"camera", "serial"} or not port:
        raise click.UsageError(f"--scanner: {answer!r} is not sim, none, camera:DEVICE or serial:PORT")
    return {"devices.scanner.driver": driver, "devices.scanner.port": port}


def _check_lines(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    return "\n".join(
        f"  {check.name.ljust(width)}  {check.status.upper():4}  {check.detail}" for check in checks
    )


def _hostname_id() -> str | None:
    name = socket.gethostname().split(".")[0]
    return name or None


@click.command("provision")
@click.option(
    "--non-interactive",
    is_flag=True,
    help="Ask nothing: take every answer from the flags (or the site file); fail on anything missing.",
)
@click.option(
    "--kiosk-id", help="This kiosk's id in the fleet and on printouts (a question offers the host name)."
)
@click.option("--site-name", help="The place name residents see on the attract screen and printouts.")
@click.option("--site-address", help="The site's street address (printouts, the doctor's report).")
@click.option("--help-desk", help="Where residents get help from a person, e.g. '一楼服务台'.")
@click.option("--repo-url", help="Address the fleet repository is served at (with --group, --trust-root).")
@click.option("--group", help="The group whose configuration this kiosk follows.")
@click.option(
    "--trust-root",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The repository's root metadata (1.root.json from `kiosk fleet init`).",
)
@click.option("--no-sync", is_flag=True, help="This kiosk does not sync (clears sync.repo_url and group).")
@click.option(
    "--id-reader-port",
    multiple=True,
    help="Serial port of the ID card reader (repeat to probe several; 'auto': detected ports; sim; none).",
)
@click.option(
    "--sscard-reader", help="PC/SC reader name of the social security card reader ('auto', 'sim', 'none')."
)
@click.option("--scanner", help="Code scanner: camera:DEVICE, serial:PORT, sim or none.")
@click.option(
    "--printer-queue", help="CUPS queue to print on ('sim': PDFs in the data directory; 'none': no printer)."
)
@click.option(
    "--printer-device", help="Add (or reuse) the CUPS queue for this local printer URI (lpinfo -v)."
)
@click.option("--printer-server", help="CUPS server, host:port or socket path (default: the system's).")
@click.option(
    "--speaker",
    type=click.Choice(["espeak", SIMULATOR, NO_DEVICE]),
    help="Voice guidance: espeak (espeak-ng), sim or none. Needed on an appliance (kiosk.mode).",
)
@click.option("--rotation", type=click.Choice(["0", "90", "180", "270"]), help="Screen rotation in degrees.")
@click.option("--touch-swap-xy/--no-touch-swap-xy", default=None, help="Swap the touch axes.")
@click.option("--touch-invert-x/--no-touch-invert-x", default=None, help="Invert the touch x axis.")
@click.option("--touch-invert-y/--no-touch-invert-y", default=None, help="Invert the touch y axis.")
@click.option(
    "--pin",
    envvar="KIOSK_PROVISION_PIN",
    help="Technician PIN (digits). Visible in shell history and `ps`: prefer --pin-file or the variable.",
)
@click.option(
    "--pin-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File whose first line is the technician PIN.",
)
@click.option("--pin-hash", help="A PIN hash made by an earlier `kiosk provision` (scrypt$...).")
@click.option("--allow-failing", is_flag=True, help="Save even when a chosen device fails its test.")
def provision_command(**options: Any) -> None:
    """Set this kiosk up: identity, fleet, devices, screen, technician PIN; tested, then saved.

    \b
    Interactive by default: each question shows what was detected (serial ports answering the
    SAM status command, PC/SC readers, CUPS queues and USB printers, cameras) and the site file's
    values. Every device is tested as `kiosk doctor` tests it before the site file is replaced;
    a failing device stops the save unless you say so (--allow-failing). Exit codes: 0 saved,
    1 not saved (a device failed, or a check refused), 2 a bad or missing flag.
    """
    run = Provisioning(options)
    run.check_flags()
    run.ask_identity()
    run.ask_fleet()
    try:
        data = resolve_data_dir(str(run.draft.in_force("kiosk.data_dir")), configured_in=str(site_file()))
    except SettingsError as error:
        raise click.ClickException(f"nothing was changed: {error}") from error
    context = DriverContext(data, "provision")
    run.ask_id_reader(context)
    run.ask_sscard_reader()
    run.ask_scanner()
    run.ask_printer()
    run.ask_speaker()
    run.ask_display()
    run.ask_pin()
    run.test_and_save()
