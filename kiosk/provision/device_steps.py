"""The device steps of provisioning: what was detected for each device, offered, chosen and set.

Each device has an `_ask_*` (take what was given; detect; the question, or None) and a `_take_*`
(the answer into the draft). The flow (`kiosk.provision.flow`) walks them in order.
"""

from __future__ import annotations

from typing import Any

from kiosk.devices import (
    NO_DEVICE,
    SIMULATOR,
    SIMULATORS_RUN_IN,
    DriverContext,
    driver_section,
    driver_settings_model,
)
from kiosk.digits import ascii_digits
from kiosk.doctor import Status
from kiosk.paths import resolve_data_dir
from kiosk.ports import DeviceError
from kiosk.provision.detect import Candidate
from kiosk.provision.draft import SiteDraft
from kiosk.provision.given import AUTO, ESPEAK, NOT_REAL, Given, scanner_values
from kiosk.provision.probe import Detected, detect_safely, probe_id_reader_ports
from kiosk.provision.questions import Answer, BadAnswer, Kind, NotSaved, Question, Reply
from kiosk.settings import SettingsError
from kiosk.settings.schema import DeviceSection


class DeviceSteps:
    """The draft, what was given, the notes for the technician, and the steps for each device."""

    def __init__(self, draft: SiteDraft, given: Given) -> None:
        self.draft = draft
        self.given = given
        self.interactive = not given.non_interactive
        self._notes: list[str] = []
        self._printers: list[Candidate] = []

    def take_notes(self) -> list[str]:
        """What the flow has to tell the technician since last asked (headings, results), in order."""
        notes, self._notes = self._notes, []
        return notes

    def _note(self, text: str) -> None:
        self._notes.append(text)

    def _set(self, source: str, values: dict[str, Any]) -> None:
        """Answer keys in the draft; BadAnswer names the source (a flag, a device) when refused."""
        try:
            self.draft.set_dotted(values)
        except SettingsError as error:
            raise BadAnswer(f"{source}: {error.key}: {error.reason}") from error

    def _set_device(self, source: str, device: str, driver: str, key: str = "", value: str = "") -> None:
        """A device's driver, and the key that says which one (port, reader, queue) for a real one."""
        if driver in NOT_REAL:
            self._set(source, {f"devices.{device}.driver": driver})
        else:
            self._set(source, {f"devices.{device}.driver": driver, f"devices.{device}.{key}": value})

    # -- the ID card reader ---------------------------------------------------------------------

    def _ask_id_reader(self) -> Question | None:
        """The serial port of the ID card reader: detected and given ports, each asked for its SAM status."""
        context = self._driver_context()
        given: list[str] = list(self.given.id_reader_port)
        if len(given) == 1 and given[0] in NOT_REAL:
            self._set("--id-reader-port", {"devices.id_reader.driver": given[0]})
            return None
        explicit = [port for port in given if port not in {AUTO, *NOT_REAL}]
        if not self.interactive and (not given or (len(explicit) == 1 and len(given) == 1)):
            if explicit:
                self._set_device("--id-reader-port", "id_reader", "serial", "port", explicit[0])
            return None
        section = self._section("id_reader", "serial")
        detected = _values(detect_safely("id_reader", section)) if self.interactive or AUTO in given else []
        current = self.draft.site_value("devices.id_reader.port")
        ports = _unique([*explicit, *detected, *([current] if current and self.interactive else [])])
        if self.interactive:
            self._note("\n== ID card reader (serial ports, each asked for its SAM status)")
        probes = probe_id_reader_ports(section, ports, context)
        answering = [port for port, check in probes if check.status is Status.OK]
        if not self.interactive:
            if not answering:
                tried = "; ".join(check.detail for _, check in probes) or "no serial port detected"
                raise BadAnswer(f"--id-reader-port: no port answered the SAM status command ({tried})")
            self._set_device("--id-reader-port", "id_reader", "serial", "port", answering[0])
            return None
        options = [(port, f"{port}: {check.status.upper()}, {check.detail}") for port, check in probes]
        options += self._not_real("ID card reader")
        default = answering[0] if answering else explicit[0] if explicit else current or self._no_device()
        return Question(Kind.CHOICE, "ID card reader", default, tuple(options), "a port path")

    def _take_id_reader(self, port: Answer) -> Reply:
        self._set_device("ID card reader", "id_reader", _driver(port, "serial"), "port", str(port))
        return Reply()

    def _driver_context(self) -> DriverContext:
        """The drivers' context for probing, in the data directory the draft names."""
        try:
            data = resolve_data_dir(
                str(self.draft.in_force("kiosk.data_dir")), configured_in=str(self.draft.path)
            )
        except SettingsError as error:
            raise NotSaved(f"nothing was changed: {error}") from error
        return DriverContext(data, "provision")

    # -- the social security card reader -------------------------------------------------------

    def _ask_sscard_reader(self) -> Question | None:
        """The PC/SC reader for social security cards, among those pcscd lists."""
        flag = self.given.sscard_reader
        if flag in NOT_REAL:
            self._set("--sscard-reader", {"devices.sscard_reader.driver": flag})
            return None
        if not self.interactive and flag is None:
            return None
        if not self.interactive and flag != AUTO:
            self._set_device("--sscard-reader", "sscard_reader", "pcsc", "reader", str(flag))
            return None
        found = detect_safely("sscard_reader", self._section("sscard_reader", "pcsc"))
        if not self.interactive:
            if not found.candidates:
                raise BadAnswer(
                    f"--sscard-reader auto: no PC/SC reader found {found.problem or '(pcscd lists none)'}"
                )
            self._take_sscard_reader(found.candidates[0].value)
            return None
        self._note("\n== Social security card reader (PC/SC, through pcscd)")
        if found.problem:
            self._note(f"  ({found.problem})")
        options = [(c.value, c.label) for c in found.candidates]
        options += self._not_real("social security card reader")
        current = self.draft.site_value("devices.sscard_reader.reader")
        found_first = found.candidates[0].value if found.candidates else self._no_device()
        default = flag if flag not in {None, AUTO} else current or found_first
        return Question(Kind.CHOICE, "Social security card reader", default, tuple(options), "a reader name")

    def _take_sscard_reader(self, reader: Answer) -> Reply:
        source = "social security card reader"
        self._set_device(source, "sscard_reader", _driver(reader, "pcsc"), "reader", str(reader))
        return Reply()

    # -- the code scanner -----------------------------------------------------------------------

    def _ask_scanner(self) -> Question | None:
        """The code scanner: a camera (/dev/video*), a serial scanner, or the simulator."""
        flag = self.given.scanner
        if flag is not None and (flag in NOT_REAL or not self.interactive):
            self._set("--scanner", scanner_values(flag))
            return None
        if not self.interactive:
            return None
        self._note("\n== Code scanner")
        cameras = detect_safely("scanner", self._section("scanner", "camera"))
        serials = detect_safely("scanner", self._section("scanner", "serial"))
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
        return Question(Kind.CHOICE, "Code scanner", default, tuple(options), "camera:DEVICE or serial:PORT")

    def _take_scanner(self, answer: Answer) -> Reply:
        try:
            self._set("scanner", scanner_values(str(answer)))
        except BadAnswer as error:
            return Reply(str(error))
        return Reply()

    # -- the printer ----------------------------------------------------------------------------

    def _ask_printer(self) -> Question | None:
        """The CUPS queue to print on, or a new queue for a printer attached to the kiosk."""
        server = self.given.printer_server
        if server is not None:
            self._set("--printer-server", {"devices.printer.server": server})
        queue, device = self.given.printer_queue, self.given.printer_device
        if queue in NOT_REAL:
            self._set("--printer-queue", {"devices.printer.driver": queue})
            return None
        if not self.interactive and device is None:
            if queue is not None:
                self._set_device("--printer-queue", "printer", "cups", "queue", queue)
            return None
        section = self._section("printer", "cups")
        if device is not None:
            self._add_queue(section, device, queue)
            return None
        self._note("\n== Printer (CUPS)")
        found = detect_safely("printer", section)
        if found.problem:
            self._note(f"  ({found.problem})")
        self._printers = found.candidates
        options = [(str(n), c.label) for n, c in enumerate(found.candidates)]
        options += self._not_real("printer")
        current = self.draft.site_value("devices.printer.queue")
        by_queue = {c.value: str(n) for n, c in enumerate(found.candidates) if c.prepare is None}
        default = by_queue.get(
            queue or current or "", options[0][0] if found.candidates else self._no_device()
        )
        return Question(Kind.CHOICE, "Printer", default, tuple(options), "a queue name")

    def _take_printer(self, answer: Answer) -> Reply:
        chosen = str(answer)
        if chosen in NOT_REAL:
            self._set("printer", {"devices.printer.driver": chosen})
            return Reply()
        if ascii_digits(chosen) and int(chosen) < len(self._printers):
            chosen = self._prepared(self._printers[int(chosen)])
        self._set_device("printer", "printer", "cups", "queue", chosen)
        return Reply()

    def _add_queue(self, section: DeviceSection, device: str, queue: str | None) -> None:
        """--printer-device: the queue that prints on `device`, added when there is none yet."""
        found = detect_safely("printer", section)
        if found.problem:
            raise BadAnswer(f"--printer-device: {found.problem}")
        candidate = next((c for c in found.candidates if c.device == device), None)
        if candidate is None:
            listed = ", ".join(sorted({c.device for c in found.candidates})) or "none"
            raise BadAnswer(
                f"--printer-device: cupsd at {section.driver_setting('server') or 'the system server'} "
                "does not offer "
                f"{device} (local printers and queues: {listed})"
            )
        self._set_device("--printer-device", "printer", "cups", "queue", self._prepared(candidate, queue))

    def _prepared(self, candidate: Candidate, name: str | None = None) -> str:
        if candidate.prepare is None:
            return candidate.value
        try:
            added = candidate.prepare(name or candidate.value)
        except DeviceError as error:
            raise NotSaved(str(error)) from error
        self._note(f"  added CUPS queue {added!r} for {candidate.device}")
        return added

    # -- the speaker ----------------------------------------------------------------------------

    def _ask_speaker(self) -> Question | None:
        """Voice guidance: espeak-ng on the kiosk's audio output, its simulator, or none."""
        flag = self.given.speaker
        if flag is not None:
            self._set("--speaker", {"devices.speaker.driver": flag})
            return None
        if not self.interactive:
            return None
        self._note("\n== Voice guidance (speaker)")
        options = [
            (ESPEAK, "espeak-ng on the audio output (Mandarin and English)"),
            *self._not_real("speaker"),
        ]
        current = self.draft.site_value("devices.speaker.driver")
        default = current or (SIMULATOR if self._no_device() == SIMULATOR else ESPEAK)
        return Question(Kind.CHOICE, "Voice guidance (speaker)", default, tuple(options), "a driver name")

    def _take_speaker(self, driver: Answer) -> Reply:
        self._set("speaker", {"devices.speaker.driver": driver})
        return Reply()

    # -- the face camera ------------------------------------------------------------------------

    def _ask_camera(self) -> Question | None:
        """The face camera: a V4L2 camera (/dev/video*) that is not the scanner's, its simulator, or none."""
        flag = self.given.camera
        if flag in NOT_REAL:
            self._set("--camera", {"devices.camera.driver": flag})
            return None
        if not self.interactive and flag is None:
            return None
        if not self.interactive and flag != AUTO:
            self._set_device("--camera", "camera", "v4l", "port", str(flag))
            return None
        found = detect_safely("camera", self._section("camera", "v4l"))
        scanners = self.draft.in_force("devices.scanner.port") if self._scanner_is_a_camera() else None
        cameras = [c for c in found.candidates if c.value != scanners]
        if not self.interactive:
            if not cameras:
                besides = f" besides the scanner's {scanners}" if scanners else ""
                why = found.problem or "(no /dev/video*)"
                raise BadAnswer(f"--camera auto: no camera found{besides} {why}")
            self._set_device("--camera", "camera", "v4l", "port", cameras[0].value)
            return None
        self._note("\n== Face camera (a live picture, for the services that need the resident's face)")
        if found.problem:
            self._note(f"  ({found.problem})")
        options = [(c.value, c.label) for c in cameras]
        options += self._not_real("face camera")
        driver = self.draft.site_value("devices.camera.driver")
        current = self.draft.site_value("devices.camera.port") if driver == "v4l" else driver
        found_first = cameras[0].value if cameras else self._no_device()
        default = flag if flag not in {None, AUTO} else current or found_first
        return Question(Kind.CHOICE, "Face camera", default, tuple(options), "a camera device or index")

    def _take_camera(self, camera: Answer) -> Reply:
        self._set_device("face camera", "camera", _driver(camera, "v4l"), "port", str(camera))
        return Reply()

    def _scanner_is_a_camera(self) -> bool:
        return bool(self.draft.in_force("devices.scanner.driver") == "camera")

    # -- helpers --------------------------------------------------------------------------------

    def _not_real(self, device: str) -> list[tuple[str, str]]:
        """The choices that name no real device, as the kiosk's mode treats them."""
        if self.draft.in_force("kiosk.mode") in SIMULATORS_RUN_IN:
            simulator = "the simulator (a laptop, or a showroom kiosk)"
        else:
            simulator = "the simulator: out of service on this appliance (a showroom sets kiosk.mode)"
        return [
            (SIMULATOR, simulator),
            (NO_DEVICE, f"none: this kiosk has no {device} (residents are told so)"),
        ]

    def _no_device(self) -> str:
        """What an unanswered device defaults to: its simulator on a laptop, none on an appliance."""
        return SIMULATOR if self.draft.in_force("kiosk.mode") in SIMULATORS_RUN_IN else NO_DEVICE

    def _section(self, device: str, driver: str) -> Any:
        """`device`'s section for `driver` as its settings model declares it, with the values in force."""
        keys = driver_settings_model(device, driver).model_fields
        in_force = {key: self.draft.in_force(f"devices.{device}.{key}") for key in keys}
        # A key no layer sets (a driver's own, with its default) is left to that default.
        values = {key: value for key, value in in_force.items() if value is not None}
        return driver_section(device, {**values, "driver": driver})


def _driver(answer: Answer, real: str) -> str:
    """The driver an answer names: sim or none as such, anything else the real driver."""
    return str(answer) if answer in NOT_REAL else real


def _values(found: Detected) -> list[str]:
    return [candidate.value for candidate in found.candidates]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
