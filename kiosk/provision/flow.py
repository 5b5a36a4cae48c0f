"""Provisioning as a flow of steps, for any front end: the `kiosk provision` prompts, later the screen.

A step has an id, a question (with the choices detected and the default offered) and a handler that
takes the answer into the site draft and says where to go next, or what is wrong with the answer
(the question then stands). The answers given up front (`Given`, the command's flags) are taken on
the way, so a step with nothing left to ask is passed over. The flow never prints: what it has to
tell the technician (headings, detection problems, test results, the summary) waits in its notes.

    flow = ProvisionFlow.open(site_file(), Given())
    while (question := flow.ask()) is not None:
        show(flow.take_notes()); error = flow.answer(read_answer(question))
    show(flow.take_notes())
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kiosk.devices import NO_DEVICE
from kiosk.doctor import Check, Status
from kiosk.paths import data_dir
from kiosk.provision.device_steps import DeviceSteps
from kiosk.provision.draft import SiteDraft
from kiosk.provision.enrolment import ProvisionError, check_trust_root, fleet_settings, store_trust_root
from kiosk.provision.given import IDENTITY, PIN_FLAGS, ROTATIONS, Given, scanner_values
from kiosk.provision.live_channel import NO_BROKER, password_path, read_password, store_password
from kiosk.provision.probe import check_devices
from kiosk.provision.questions import Answer, BadAnswer, Kind, NotSaved, Question, Reply
from kiosk.settings import Settings, SettingsError
from kiosk.technician import PinFormatError, hash_pin, is_pin_hash

#: The touch calibration questions: (the display key's name, the question).
TOUCH = (
    ("touch_swap_xy", "Touch: swap x and y?"),
    ("touch_invert_x", "Touch: invert x?"),
    ("touch_invert_y", "Touch: invert y?"),
)


@dataclass
class Fleet:
    """The fleet repository a kiosk syncs from, its trust root checked."""

    repo_url: str
    group: str
    root_bytes: bytes


@dataclass(frozen=True)
class Step:
    """One step: `enter` takes what was given and returns its question (None: nothing to ask)."""

    enter: Callable[[], Question | None]
    take: Callable[[Answer], Reply]


class ProvisionFlow(DeviceSteps):
    """One provisioning of a kiosk: given answers checked, questions asked, devices tested, site saved."""

    def __init__(self, draft: SiteDraft, given: Given) -> None:
        super().__init__(draft, given)
        self.fleet: Fleet | None = None
        self.pin_changed = False
        self.checks: list[Check] = []
        self.saved = False
        self._steps = self._table()
        self._order = list(self._steps)
        self._next: str | None = self._order[0]
        self.step: str | None = None
        self._question: Question | None = None
        self._answered = False
        self._asking_fleet = False
        self._fleet_answers: dict[str, str] = {}
        self._display: dict[str, Any] = {}
        self._asking_pin = False
        self._failed = ""
        self._settings: Settings | None = None
        self._data = Path()
        #: The broker password given (--broker-password-file), stored on saving.
        self._broker_password: str | None = None

    @classmethod
    def open(cls, site: Path, given: Given) -> ProvisionFlow:
        """The flow for the site file at `site` (which need not exist yet); NotSaved when it is unreadable."""
        try:
            return cls(SiteDraft.open(site), given)
        except SettingsError as error:
            raise NotSaved(f"nothing was changed: {error}") from error

    def _table(self) -> dict[str, Step]:
        """The steps in the order they are asked, by id."""
        identity = {
            key: Step(partial(self._ask_identity, key, text), partial(self._take_setting, key))
            for _, _, key, text in IDENTITY
        }
        touch = {
            f"display.{name}": Step(partial(self._ask_touch, name, text), partial(self._take_touch, name))
            for name, text in TOUCH
        }
        return {
            "given": Step(self._check_given, self._nothing_to_take),
            **identity,
            "fleet.keep": Step(self._ask_keep_fleet, self._take_keep_fleet),
            "fleet.syncs": Step(self._ask_syncs, self._take_syncs),
            "fleet.repo_url": Step(partial(self._ask_fleet, "Repository URL"), self._take_repo_url),
            "fleet.group": Step(partial(self._ask_fleet, "Group"), self._take_group),
            "fleet.trust_root": Step(self._ask_trust_root, self._take_trust_root),
            "id_reader": Step(self._ask_id_reader, self._take_id_reader),
            "sscard_reader": Step(self._ask_sscard_reader, self._take_sscard_reader),
            "scanner": Step(self._ask_scanner, self._take_scanner),
            "printer": Step(self._ask_printer, self._take_printer),
            "speaker": Step(self._ask_speaker, self._take_speaker),
            "camera": Step(self._ask_camera, self._take_camera),
            "display.rotation": Step(self._ask_rotation, self._take_rotation),
            **touch,
            "pin.keep": Step(self._ask_keep_pin, self._take_keep_pin),
            "pin.new": Step(self._ask_new_pin, self._take_new_pin),
            "test": Step(self._test, self._take_save_anyway),
            "save": Step(self._save, self._nothing_to_take),
        }

    # -- walking the steps ----------------------------------------------------------------------

    def ask(self) -> Question | None:
        """The question that stands, else the next one (what was given taken on the way); None once saved.

        Raises BadAnswer for a given answer that is wrong or missing, NotSaved when provisioning
        stops (a device failed its test, a check refused).
        """
        if self.step is not None and self._question is not None and not self._answered:
            return self._question  # not answered yet: it stands
        while self._next is not None:
            step, self._next = self._next, self._after(self._next)
            question = self._steps[step].enter()
            if question is not None:
                self.step, self._question, self._answered = step, question, False
                return question
        self.step, self._question = None, None
        return None

    def answer(self, value: Answer) -> str:
        """Take the answer to the question asked: "" when taken, else what is wrong (ask it again).

        Until the next `ask`, the question may be answered again (the later answer stands).
        """
        if self.step is None:
            raise RuntimeError("no question is asked: call ask() first")
        reply = self._steps[self.step].take(value)
        if not reply.error:
            self._next = reply.goto or self._after(self.step)
            self._answered = True
        return reply.error

    def _after(self, step: str) -> str | None:
        index = self._order.index(step) + 1
        return self._order[index] if index < len(self._order) else None

    def _nothing_to_take(self, value: Answer) -> Reply:
        raise RuntimeError(f"step {self.step} asks nothing")

    def _take_setting(self, key: str, value: Answer) -> Reply:
        try:
            self.draft.set_dotted({key: value})
        except SettingsError as error:
            return Reply(f"{error.key}: {error.reason}")
        return Reply()

    # -- what was given, before any question ----------------------------------------------------

    def _check_given(self) -> None:
        """Every answer given is valid, and (non-interactive) nothing needed is missing."""
        for name, flag, key, _ in IDENTITY:
            if self.given.identity(name) is not None:
                self._set(flag, {key: self.given.identity(name)})
        self._check_fleet_given()
        self._check_channel_given()
        self._check_pin_given()
        if self.given.scanner is not None:
            scanner_values(self.given.scanner)
        if not self.interactive:
            missing = self._missing()
            if missing:
                raise BadAnswer(
                    f"--non-interactive: missing {'; '.join(missing)} "
                    f"(neither given nor already in {self.draft.path})"
                )

    def _check_fleet_given(self) -> None:
        given = self.given
        answered = [value is not None for value in (given.repo_url, given.group, given.trust_root)]
        if given.no_sync and any(answered):
            raise BadAnswer("--no-sync cannot be combined with --repo-url, --group or --trust-root")
        if any(answered) and not all(answered):
            raise BadAnswer("--repo-url, --group and --trust-root go together: give all three")
        if given.repo_url is not None and given.group is not None and given.trust_root is not None:
            try:
                root_bytes = check_trust_root(given.trust_root)
            except ProvisionError as error:
                # The file exists but is not a trust root: a refused check (exit 1), as ever since
                # provisioning was fleet-only, not a usage error.
                raise NotSaved(f"nothing was changed: {error}") from error
            # The kiosk id is answered on its own (a question, --kiosk-id); the fleet's keys are the rest.
            values = fleet_settings(self.draft.in_force("kiosk.id"), given.group, given.repo_url)
            self._set(
                "--repo-url/--group", {key: value for key, value in values.items() if key != "kiosk.id"}
            )
            self.fleet = Fleet(given.repo_url, given.group, root_bytes)

    def _check_channel_given(self) -> None:
        """The live channel's broker and password (flags only: no question asks for them)."""
        given = self.given
        if given.broker == NO_BROKER:
            if given.broker_password_file is not None:
                raise BadAnswer("--broker none cannot be combined with --broker-password-file")
            self._set("--broker", {"fleet.broker": ""})
            return
        if given.broker is not None:
            self._set("--broker", {"fleet.broker": given.broker})
        if given.broker_password_file is None:
            return
        if not self.draft.in_force("fleet.broker"):
            raise BadAnswer("--broker-password-file needs --broker (or fleet.broker in the site file)")
        self._broker_password = read_password(given.broker_password_file)

    def _check_pin_given(self) -> None:
        given = self.given
        if sum(value is not None for value in (given.pin, given.pin_file, given.pin_hash)) > 1:
            raise BadAnswer(f"give the technician PIN once: one of {PIN_FLAGS}")
        pin = given.pin_text()
        if given.pin_hash is not None:
            if not is_pin_hash(given.pin_hash):
                raise BadAnswer("--pin-hash: not a hash made by `kiosk provision` (scrypt$n$r$p$salt$hash)")
            self._set("--pin-hash", {"technician.pin_hash": given.pin_hash})
        elif pin is not None:
            source, text = pin
            try:
                self._set(source, {"technician.pin_hash": hash_pin(text)})
            except PinFormatError as error:
                raise BadAnswer(f"{source}: {error}") from error
        self.pin_changed = "technician.pin_hash" in self.draft.changes

    def _missing(self) -> list[str]:
        missing = [flag for _, flag, key, _ in IDENTITY if not self.draft.has(key)]
        given = self.given
        devices = (
            (given.id_reader_port, "--id-reader-port", "id_reader"),
            (given.sscard_reader, "--sscard-reader", "sscard_reader"),
            (given.scanner, "--scanner", "scanner"),
            (given.printer_queue or given.printer_device, "--printer-queue or --printer-device", "printer"),
            # Left on its simulator, an appliance's speaker and camera would be out of service; a
            # laptop's are fine.
            *(
                ((given.speaker, "--speaker", "speaker"), (given.camera, "--camera", "camera"))
                if self._no_device() == NO_DEVICE
                else ()
            ),
        )
        for answered, flag, device in devices:
            if not answered and not self.draft.has(f"devices.{device}.driver"):
                missing.append(flag)
        if (
            not self.draft.site_value("technician.pin_hash")
            and "technician.pin_hash" not in self.draft.changes
        ):
            missing.append(f"the technician PIN ({PIN_FLAGS})")
        return missing

    # -- this kiosk and its fleet ---------------------------------------------------------------

    def _ask_identity(self, key: str, text: str) -> Question | None:
        """Kiosk id, site name and address, help desk: offered with the site file's (or detected) value."""
        if not self.interactive:
            return None
        if key == "kiosk.id":
            self._note("\n== This kiosk")
        default = self.draft.changes.get(key) or self.draft.site_value(key)
        if key == "kiosk.id" and default is None:
            default = _hostname_id()
        return Question(Kind.TEXT, text, default)

    def _ask_keep_fleet(self) -> Question | None:
        """Whether the kiosk syncs, and from where (repository, group, trust root)."""
        self._asking_fleet = False
        if self.given.no_sync:
            self._set("--no-sync", {"sync.repo_url": "", "sync.group": ""})
            return None
        if not self.interactive or self.fleet is not None:
            return None
        self._asking_fleet = True
        self._note("\n== Fleet (guides and configuration from a TUF repository)")
        current = self.draft.site_value("sync.repo_url")
        if not current:
            return None
        group = self.draft.in_force("sync.group")
        return Question(Kind.CONFIRM, f"Keep syncing from {current} (group {group})?", True)

    def _take_keep_fleet(self, keep: Answer) -> Reply:
        return Reply(goto="id_reader") if keep else Reply()

    def _ask_syncs(self) -> Question | None:
        if not self._asking_fleet:
            return None
        current = self.draft.site_value("sync.repo_url")
        return Question(Kind.CONFIRM, "Does this kiosk sync from a fleet repository?", bool(current))

    def _take_syncs(self, syncs: Answer) -> Reply:
        if syncs:
            return Reply()
        self._set("sync", {"sync.repo_url": "", "sync.group": ""})
        return Reply(goto="id_reader")

    def _ask_fleet(self, text: str) -> Question | None:
        return Question(Kind.TEXT, text) if self._asking_fleet else None

    def _take_repo_url(self, value: Answer) -> Reply:
        self._fleet_answers["repo_url"] = str(value)
        return self._take_setting("sync.repo_url", value)

    def _take_group(self, value: Answer) -> Reply:
        self._fleet_answers["group"] = str(value)
        return self._take_setting("sync.group", value)

    def _ask_trust_root(self) -> Question | None:
        if not self._asking_fleet:
            return None
        return Question(Kind.PATH, "Trust root (1.root.json from `kiosk fleet init`)")

    def _take_trust_root(self, value: Answer) -> Reply:
        try:
            root_bytes = check_trust_root(Path(str(value)))
        except ProvisionError as error:
            return Reply(str(error))
        self.fleet = Fleet(self._fleet_answers["repo_url"], self._fleet_answers["group"], root_bytes)
        return Reply()

    # -- the screen and the technician PIN -----------------------------------------------------

    def _ask_rotation(self) -> Question | None:
        """Screen rotation and touch calibration (how the panel and its touch layer are mounted)."""
        self._display = self.given.display()
        if not self.interactive:
            self._set("display", self._display)
            return None
        self._note("\n== Screen")
        default = str(self._display.get("display.rotation", self.draft.in_force("display.rotation")))
        options = tuple((rotation, rotation) for rotation in ROTATIONS)
        return Question(Kind.ONE_OF, "Screen rotation, degrees (how the panel is mounted)", default, options)

    def _take_rotation(self, value: Answer) -> Reply:
        if str(value) not in ROTATIONS:
            return Reply(f"{value!r} is not one of {', '.join(map(repr, ROTATIONS))}.")
        self._display["display.rotation"] = int(str(value))
        return Reply()

    def _ask_touch(self, name: str, text: str) -> Question | None:
        if not self.interactive:
            return None
        key = f"display.{name}"
        return Question(Kind.CONFIRM, text, bool(self._display.get(key, self.draft.in_force(key))))

    def _take_touch(self, name: str, value: Answer) -> Reply:
        self._display[f"display.{name}"] = bool(value)
        if name == TOUCH[-1][0]:
            self._set("display", self._display)
        return Reply()

    def _ask_keep_pin(self) -> Question | None:
        """The technician PIN, typed twice and hidden; only its hash is kept."""
        self._asking_pin = False
        if not self.interactive or "technician.pin_hash" in self.draft.changes:
            return None
        self._asking_pin = True
        self._note("\n== Technician PIN (opens technician mode on the screen)")
        if not self.draft.site_value("technician.pin_hash"):
            return None
        return Question(Kind.CONFIRM, "Keep the technician PIN already set?", True)

    def _take_keep_pin(self, keep: Answer) -> Reply:
        return Reply(goto="test") if keep else Reply()

    def _ask_new_pin(self) -> Question | None:
        return Question(Kind.NEW_PIN, "New PIN (digits)") if self._asking_pin else None

    def _take_new_pin(self, value: Answer) -> Reply:
        try:
            pin_hash = hash_pin(str(value))
        except PinFormatError as error:
            return Reply(str(error))
        self._set("technician PIN", {"technician.pin_hash": pin_hash})
        self.pin_changed = True
        return Reply()

    # -- testing, saving, the summary -----------------------------------------------------------

    def _test(self) -> Question | None:
        """Check the chosen devices as the doctor does; a failing one stops the save unless allowed."""
        try:
            self._settings = self.draft.settings()
            self._data = data_dir(self._settings)
            if self._broker_password is not None:
                # The copy the kiosk reads, in the data directory (known only now); never the password.
                channel = {"fleet.password_file": str(password_path(self._data))}
                if self.draft.site_value("fleet.password"):
                    channel["fleet.password"] = ""  # one or the other, and the file is the better
                self.draft.set_dotted(channel)
                self._settings = self.draft.settings()
        except SettingsError as error:
            raise NotSaved(f"nothing was saved: {error}") from error
        if self.interactive:
            self._note("\n== Testing the devices")
        self.checks = check_devices(self._settings, self._data)
        failed = [check.name for check in self.checks if check.status is Status.FAIL]
        if self.interactive or failed:
            self._note(check_lines(self.checks))
        if not failed or self.given.allow_failing:
            return None
        self._failed = ", ".join(failed)
        if not self.interactive:
            raise NotSaved(
                f"nothing was saved: {self._failed} failed the test; fix it, or pass --allow-failing"
            )
        return Question(Kind.CONFIRM, f"{self._failed} failed the test. Save anyway?", False)

    def _take_save_anyway(self, save: Answer) -> Reply:
        if not save:
            raise NotSaved(f"nothing was saved: {self._failed} failed the test")
        return Reply()

    def _save(self) -> None:
        """The trust root kept and the site file replaced; the summary in the notes."""
        assert self._settings is not None  # the test step came first
        trust = store_trust_root(self.fleet.root_bytes, self._data) if self.fleet else None
        if self._broker_password is not None:
            store_password(self._data, self._broker_password)
        try:
            self.draft.save()
        except SettingsError as error:
            raise NotSaved(f"nothing was saved: {error}") from error
        self.saved = True
        self._summary(self._settings.kiosk.id, self._settings.kiosk.site_name, trust)

    def _summary(self, kiosk_id: str, site_name: str, trust: Path | None) -> None:
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
        self._note(f"\n== Provisioned {kiosk_id} ({site_name})")
        self._note(f"site file:      {self.draft.path} (mode 0640)")
        self._note(f"sync:           {sync}")
        self._note(f"live channel:   {_channel(settings)}")
        self._note(f"display:        rotation {display.rotation}, touch {', '.join(touch) or 'as mounted'}")
        self._note(f"technician PIN: {pin}")
        self._note("devices:")
        self._note(check_lines(self.checks))
        self._note("next: kiosk doctor")


def check_lines(checks: list[Check]) -> str:
    """The device checks as aligned lines: name, status, detail."""
    width = max(len(check.name) for check in checks)
    return "\n".join(
        f"  {check.name.ljust(width)}  {check.status.upper():4}  {check.detail}" for check in checks
    )


def _channel(settings: Settings) -> str:
    """The live channel as the summary tells it: the broker, the account, where its password is."""
    fleet = settings.fleet
    if not fleet.broker:
        return "off"
    password = (
        f"password in {fleet.password_file}"
        if fleet.password_file
        else ("password in the site file" if fleet.password.get_secret_value() else "no password")
    )
    return f"{fleet.broker} as {fleet.username or settings.kiosk.id}, {password}"


def _hostname_id() -> str | None:
    name = socket.gethostname().split(".")[0]
    return name or None
