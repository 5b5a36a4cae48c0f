"""Checks of the configured devices, through the same drivers the kiosk runs on."""

from __future__ import annotations

from typing import Any

from kiosk.devices import (
    NO_DEVICE,
    SIMULATOR,
    DriverContext,
    UnknownDriver,
    build_driver,
    out_of_service_reason,
)
from kiosk.doctor.check import Check, Status
from kiosk.pictures import jpeg_size
from kiosk.ports import DeviceError
from kiosk.printing import explain
from kiosk.settings.schema import (
    CameraSection,
    DeviceSection,
    IdReaderSection,
    KioskMode,
    PrinterSection,
    ScannerSection,
    SocialSecurityReaderSection,
    SpeakerSection,
)

#: SAM status word of a healthy SAM (the serial protocol's "success").
_SAM_OK = 0x90


def _not_probed(name: str, section: DeviceSection, mode: KioskMode) -> Check | None:
    """The check of a device with nothing to probe (a simulator, none), or None to probe it.

    A simulator is fine on a laptop or in a showroom; on an appliance it is a device never
    provisioned, which fails (kiosk.devices.out_of_service_reason is the one rule of both).
    """
    reason = out_of_service_reason(name, section, mode)
    if section.driver == NO_DEVICE:
        return Check(name, Status.OK, True, f"{reason}: residents are told it is not available")
    if reason:
        return Check(name, Status.FAIL, True, f"out of service: {reason}")
    if section.driver == SIMULATOR:
        showroom = ', showroom: kiosk.mode = "showroom"' if mode == "showroom" else ""
        return Check(name, Status.OK, True, f"simulated ({name}.{SIMULATOR} driver{showroom})")
    return None


def _build(name: str, section: DeviceSection, context: DriverContext) -> Any:
    try:
        return build_driver(name, section, context)
    except UnknownDriver as error:
        raise DeviceError(str(error)) from error


def check_id_reader(
    section: IdReaderSection, context: DriverContext, mode: KioskMode = "development"
) -> Check:
    """The ID card reader answers the SAM status command with a healthy status."""
    name = "id_reader"
    if (unprobed := _not_probed(name, section, mode)) is not None:
        return unprobed
    try:
        reader = _build(name, section, context)
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    try:
        sam_info = getattr(reader, "sam_info", None)
        if sam_info is None:
            # A driver without a SAM to ask: asking whether a card lies there proves it answers.
            reader.card_present()
            return Check(name, Status.OK, True, f"ID card reader ({section.driver} driver) answers")
        info = sam_info()
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    finally:
        reader.close()
    where = f"ID card reader on {section.driver_setting('port')}: SAM {info.sam_id}"
    if info.status != _SAM_OK:
        return Check(
            name, Status.FAIL, True, f"{where} reports status {info.status:02X} ({info.status_meaning})"
        )
    return Check(name, Status.OK, True, f"{where}, status {info.status:02X} ({info.status_meaning})")


def check_sscard_reader(
    section: SocialSecurityReaderSection, context: DriverContext, mode: KioskMode = "development"
) -> Check:
    """The PC/SC reader is connected (asking whether a card is inserted needs the reader)."""
    name = "sscard_reader"
    if (unprobed := _not_probed(name, section, mode)) is not None:
        return unprobed
    reader_name = section.driver_setting("reader")
    wanted = repr(reader_name) if reader_name else "(the first PC/SC reader)"
    try:
        reader = _build(name, section, context)
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    try:
        inserted = reader.card_present()
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    finally:
        reader.close()
    card = "a card is inserted" if inserted else "no card inserted"
    return Check(name, Status.OK, True, f"social security card reader {wanted} present, {card}")


def check_printer(section: PrinterSection, context: DriverContext, mode: KioskMode = "development") -> Check:
    """The printer accepts jobs; its state reasons (toner-low, media-empty...) are reported."""
    name = "printer"
    if (unprobed := _not_probed(name, section, mode)) is not None:
        return unprobed
    try:
        printer = _build(name, section, context)
        status = printer.status()
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    if not status.ready:
        return Check(name, Status.FAIL, True, f"{printer}: {explain(status.reasons, status.detail)[1]}")
    if status.reasons:
        return Check(
            name, Status.WARN, True, f"{printer} accepting jobs; reasons: {', '.join(status.reasons)}"
        )
    return Check(name, Status.OK, True, f"{printer} accepting jobs")


def check_scanner(section: ScannerSection, context: DriverContext, mode: KioskMode = "development") -> Check:
    """The scanner opens (camera or serial port), and is released at once."""
    opened = f"scanner ({section.driver} driver) on {section.driver_setting('port')} opens"
    return _opens("scanner", section, context, mode, opened)


def check_speaker(section: SpeakerSection, context: DriverContext, mode: KioskMode = "development") -> Check:
    """The speaker's driver is installed (whether a sound comes out is for the technician's ears)."""
    return _opens("speaker", section, context, mode, f"speaker ({section.driver} driver) ready")


def check_camera(section: CameraSection, context: DriverContext, mode: KioskMode = "development") -> Check:
    """The face camera takes a picture that decodes as JPEG; only its size is reported, the picture
    itself is dropped at once (never written, never shown: it may be of whoever stands there)."""
    name = "camera"
    if (unprobed := _not_probed(name, section, mode)) is not None:
        return unprobed
    where = f"face camera ({section.driver} driver) on {section.driver_setting('port') or '-'}"
    try:
        camera = _build(name, section, context)
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    try:
        picture = camera.capture(section.capture_timeout)
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    finally:
        camera.close()
    try:
        width, height = jpeg_size(picture)
    except ValueError as error:
        return Check(name, Status.FAIL, True, f"{where}: {error}")
    kilobytes = len(picture) / 1024
    return Check(name, Status.OK, True, f"{where}: a picture of {width}x{height}, {kilobytes:.0f} KB")


def _opens(name: str, section: DeviceSection, context: DriverContext, mode: KioskMode, opened: str) -> Check:
    """A device that is checked by building its driver and releasing it at once: ok with `opened`."""
    if (unprobed := _not_probed(name, section, mode)) is not None:
        return unprobed
    try:
        device = _build(name, section, context)
    except DeviceError as error:
        return Check(name, Status.FAIL, True, str(error))
    device.close()
    return Check(name, Status.OK, True, opened)
