"""`kiosk provision`: the field technician's setup of a kiosk, question by question or all as flags.

The questions, their defaults and what an answer does live in `kiosk.provision.flow`; this command
asks them at the terminal and maps the flow's stops to exit codes (2 a bad answer, 1 not saved).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kiosk.cli.choices import choose
from kiosk.devices import NO_DEVICE, SIMULATOR
from kiosk.provision.flow import ProvisionFlow
from kiosk.provision.given import ESPEAK, ROTATIONS, Given
from kiosk.provision.questions import Answer, BadAnswer, Kind, NotSaved, Question
from kiosk.settings.loader import site_file

#: The flags in the order `--help` lists them: (the flag, its help, click's other settings).
#: Each one answers a question of the flow (`Given` has a field a flag).
FLAGS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--non-interactive", "Ask nothing: take every answer from the flags (or the site file); fail on "
     "anything missing.", {"is_flag": True}),
    ("--kiosk-id", "This kiosk's id in the fleet and on printouts (a question offers the host name).", {}),
    ("--site-name", "The place name residents see on the attract screen and printouts.", {}),
    ("--site-address", "The site's street address (printouts, the doctor's report).", {}),
    ("--help-desk", "Where residents get help from a person, e.g. '一楼服务台'.", {}),
    ("--repo-url", "Address the fleet repository is served at (with --group, --trust-root).", {}),
    ("--group", "The group whose configuration this kiosk follows.", {}),
    ("--trust-root", "The repository's root metadata (1.root.json from `kiosk fleet init`).",
     {"type": click.Path(dir_okay=False, path_type=Path)}),
    ("--no-sync", "This kiosk does not sync (clears sync.repo_url and group).", {"is_flag": True}),
    ("--id-reader-port", "Serial port of the ID card reader (repeat to probe several; 'auto': detected "
     "ports; sim; none).", {"multiple": True}),
    ("--sscard-reader", "PC/SC reader name of the social security card reader ('auto', 'sim', 'none').", {}),
    ("--scanner", "Code scanner: camera:DEVICE, serial:PORT, sim or none.", {}),
    ("--printer-queue", "CUPS queue to print on ('sim': PDFs in the data directory; 'none': no "
     "printer).", {}),
    ("--printer-device", "Add (or reuse) the CUPS queue for this local printer URI (lpinfo -v).", {}),
    ("--printer-server", "CUPS server, host:port or socket path (default: the system's).", {}),
    ("--speaker", "Voice guidance: espeak (espeak-ng), sim or none. Needed on an appliance (kiosk.mode).",
     {"type": click.Choice([ESPEAK, SIMULATOR, NO_DEVICE])}),
    ("--camera", "Face camera: its device or index (/dev/video2, 0; not the scanner's), 'auto' (the first "
     "camera detected), sim or none. Needed on an appliance (kiosk.mode).", {}),
    ("--rotation", "Screen rotation in degrees.", {"type": click.Choice(ROTATIONS)}),
    ("--touch-swap-xy/--no-touch-swap-xy", "Swap the touch axes.", {"default": None}),
    ("--touch-invert-x/--no-touch-invert-x", "Invert the touch x axis.", {"default": None}),
    ("--touch-invert-y/--no-touch-invert-y", "Invert the touch y axis.", {"default": None}),
    ("--pin", "Technician PIN (digits). Visible in shell history and `ps`: prefer --pin-file or the "
     "variable.", {"envvar": "KIOSK_PROVISION_PIN"}),
    ("--pin-file", "File whose first line is the technician PIN.",
     {"type": click.Path(exists=True, dir_okay=False, path_type=Path)}),
    ("--pin-hash", "A PIN hash made by an earlier `kiosk provision` (scrypt$...).", {}),
    ("--broker", "The fleet's live channel: its MQTT broker, mqtt://host:port or mqtts://host:port "
     "('none': no live channel).", {}),
    ("--broker-password-file", "This kiosk's password at the broker (the file `scripts/install-broker "
     "add-kiosk ID` wrote): copied into the data directory, mode 0600.",
     {"type": click.Path(exists=True, dir_okay=False, path_type=Path)}),
    ("--allow-failing", "Save even when a chosen device fails its test.", {"is_flag": True}),
)  # fmt: skip


def _with_flags(command: Callable[..., None]) -> Callable[..., None]:
    """The command with every flag in FLAGS, listed in that order."""
    for flag, text, settings in reversed(FLAGS):
        command = click.option(flag, help=text, **settings)(command)
    return command


@click.command("provision")
@_with_flags
def provision_command(**options: Any) -> None:
    """Set this kiosk up: identity, fleet, devices, screen, technician PIN; tested, then saved.

    \b
    Interactive by default: each question shows what was detected (serial ports answering the
    SAM status command, PC/SC readers, CUPS queues and USB printers, cameras) and the site file's
    values. Every device is tested as `kiosk doctor` tests it before the site file is replaced;
    a failing device stops the save unless you say so (--allow-failing). Exit codes: 0 saved,
    1 not saved (a device failed, or a check refused), 2 a bad or missing flag.
    """
    try:
        flow = ProvisionFlow.open(site_file(), Given(**options))
    except NotSaved as error:
        raise click.ClickException(str(error)) from error
    try:
        while (question := flow.ask()) is not None:
            _tell(flow)
            _answer(flow, question)
    except BadAnswer as error:
        _tell(flow)
        raise click.UsageError(str(error)) from error
    except NotSaved as error:
        _tell(flow)
        raise click.ClickException(str(error)) from error
    _tell(flow)


def _tell(flow: ProvisionFlow) -> None:
    for note in flow.take_notes():
        click.echo(note)


def _answer(flow: ProvisionFlow, question: Question) -> None:
    """Ask `question` until the flow takes the answer."""
    if question.kind in {Kind.TEXT, Kind.NEW_PIN}:
        # Checked as typed: click shows the error and asks again (the PIN before its confirmation).
        secret = question.kind is Kind.NEW_PIN
        default: Any = question.default  # as the site file has it: click hands it to the flow as it is
        click.prompt(
            question.text,
            default=default,
            hide_input=secret,
            confirmation_prompt=secret,
            value_proc=_taken_by(flow),
        )
        return
    while error := flow.answer(_ask(question)):
        click.echo(f"Error: {error}", err=True)


def _ask(question: Question) -> Answer:
    """One answer at the terminal (a choice's text is the heading the notes showed)."""
    if question.kind is Kind.CONFIRM:
        return click.confirm(question.text, default=bool(question.default))
    if question.kind is Kind.CHOICE:
        return choose(list(question.options), str(question.default), question.free_text)
    if question.kind is Kind.ONE_OF:
        values = [value for value, _ in question.options]
        return str(click.prompt(question.text, type=click.Choice(values), default=question.default))
    return str(click.prompt(question.text, type=click.Path(path_type=Path)))


def _taken_by(flow: ProvisionFlow) -> Callable[[str], str]:
    def take(text: str) -> str:
        error = flow.answer(text)
        if error:
            raise click.BadParameter(error)
        return text

    return take
