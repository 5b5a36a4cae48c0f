"""`kiosk hw ...`: a technician reads a card, asks a reader who it is or has the face camera take a
picture, with a stable JSON contract.

Exit codes, the same for every command here: 0 read, 3 no card, 4 card present but unreadable or
refused (a camera: there, but no picture), 5 reader, camera or service unreachable, 2 usage. Every
non-zero exit writes one line to stderr.
"""

from __future__ import annotations

import base64
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.cli.loading import load_or_exit
from kiosk.cli.scan_cmd import scan
from kiosk.devices import DriverContext, UnknownDriver, build_driver, driver_section
from kiosk.idnumber import id_number_valid
from kiosk.paths import data_dir
from kiosk.pictures import jpeg_size
from kiosk.ports import CardUnreadable, DeviceError, DeviceUnavailable
from kiosk.records import IdCard, SocialSecurityCard
from kiosk.wlt import NoWltDecoder, wlt_decoder

EXIT_READ = 0
EXIT_USAGE = 2
EXIT_NO_CARD = 3
EXIT_UNREADABLE = 4
EXIT_UNREACHABLE = 5


def id_card_json(card: IdCard) -> dict[str, Any]:
    """The JSON contract of `kiosk hw idcard --json`: ISO dates, null for every absent field."""
    return {
        "card_type": card.card_type,
        "name": card.name or None,
        "sex": card.sex or None,
        "nation": card.nation or None,
        "birth_date": _iso(card.birth_date),
        "address": card.address or None,
        "id_number": card.id_number or None,
        "issuer": card.issuer or None,
        "valid_from": _iso(card.valid_from),
        "valid_until": _iso(card.valid_until),
        "appended_address": card.appended_address or None,
        "english_name": card.english_name or None,
        "nationality": card.nationality or None,
        "pass_number": card.pass_number or None,
        "issue_count": card.issue_count,
        "id_number_valid": id_number_valid(card.id_number),
        "photo_wlt": base64.b64encode(card.photo_wlt).decode("ascii") if card.photo_wlt else None,
    }


def sscard_json(card: SocialSecurityCard) -> dict[str, Any]:
    """The JSON contract of `kiosk hw sscard --json`."""
    return {
        "card_id": card.card_id or None,
        "region": card.region or None,
        "card_type": card.card_type or None,
        "spec_version": card.spec_version or None,
        "issuer_org": card.issuer_org or None,
        "issued": _iso(card.issued),
        "expires": _iso(card.expires),
        "card_number": card.card_number or None,
        "ss_number": card.ss_number or None,
        "name": card.name or None,
        "sex": card.sex or None,
        "nation": card.nation or None,
        "birthplace": card.birthplace or None,
        "birth_date": _iso(card.birth_date),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _fail(code: int, reason: str) -> NoReturn:
    click.echo(reason.replace("\n", " "), err=True)
    sys.exit(code)


def _print(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    for key, value in record.items():
        if key != "photo_wlt":
            click.echo(f"{key}: {'' if value is None else value}")
    if record.get("photo_wlt"):
        click.echo(f"photo_wlt: {len(base64.b64decode(record['photo_wlt']))} bytes (WLT, not decoded)")


def _build(device: str, section: Any) -> Any:
    settings = load_or_exit().settings
    try:
        return build_driver(device, section, DriverContext(data_dir(settings), settings.kiosk.id))
    except UnknownDriver as error:
        _fail(EXIT_USAGE, str(error))


@click.group()
def hw() -> None:
    """Check the card readers and the face camera: read a card, ask the ID reader's SAM who it is,
    take a picture.

    \b
    Exit codes: 0 read, 1 invalid settings, 2 usage, 3 no card, 4 card present but unreadable or
    refused (camera: there, but no picture), 5 reader, camera or service (pcscd) unreachable.
    Every failure writes one line to stderr.
    """


@hw.command()
@click.option("--port", required=True, help="Serial port of the reader, e.g. /dev/ttyUSB0.")
@click.option(
    "--baud",
    type=click.Choice(["115200", "57600", "38400", "19200", "9600"]),
    default="115200",
    show_default=True,
    help="Line speed the reader is set to.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=5.0,
    show_default=True,
    help="Seconds to wait for a card to be placed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the stable contract).")
@click.option("--sam", is_flag=True, help="Print the SAM id and status instead of reading a card.")
@click.option("--driver", default="serial", show_default=True, help="Driver name (id_reader.<driver>).")
@click.option(
    "--photo",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the photo as BMP, decoded by the installed WLT decoder plug-in (none: exit 2).",
)
def idcard(  # noqa: PLR0917 - click passes every option by position
    port: str, baud: str, timeout: float, as_json: bool, sam: bool, driver: str, photo: Path | None
) -> None:
    """Read the ID card lying on the reader and print it."""
    decode = None
    if photo is not None:
        try:
            decode = wlt_decoder()
        except NoWltDecoder as error:
            _fail(EXIT_USAGE, str(error))
    # The read itself may take as long as the kiosk allows it (devices.id_reader.timeout).
    configured = load_or_exit().settings.devices.id_reader.model_dump()
    section = driver_section("id_reader", {**configured, "driver": driver, "port": port, "baud": int(baud)})
    reader = _build("id_reader", section)
    try:
        if sam:
            sam_info = getattr(reader, "sam_info", None)
            if sam_info is None:
                _fail(EXIT_USAGE, f"driver id_reader.{driver} has no SAM to ask")
            info = sam_info()
            record = {"sam_id": info.sam_id, "status": f"{info.status:02X}", "meaning": info.status_meaning}
            if as_json:
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                click.echo(f"SAM {info.sam_id}: status {info.status:02X} ({info.status_meaning})")
            return
        card = reader.read_card(timeout)
    except DeviceUnavailable as error:
        _fail(EXIT_UNREACHABLE, str(error))
    except CardUnreadable as error:
        _fail(EXIT_UNREADABLE, str(error))
    finally:
        reader.close()
    if card is None:
        _fail(EXIT_NO_CARD, f"ID card reader on {port}: no card was placed within {timeout:g} s")
    if decode is not None and photo is not None:
        photo.write_bytes(decode(card.photo_wlt))
    _print(id_card_json(card), as_json)


@hw.command()
@click.option("--reader", "reader_name", default="", help="PC/SC reader name; default: the first one.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=5.0,
    show_default=True,
    help="Seconds to wait for a card to be inserted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the stable contract).")
@click.option("--driver", default="pcsc", show_default=True, help="Driver name (sscard_reader.<driver>).")
def sscard(reader_name: str, timeout: float, as_json: bool, driver: str) -> None:
    """Read the social security card in the reader and print it."""
    reader = _build(
        "sscard_reader", driver_section("sscard_reader", {"driver": driver, "reader": reader_name})
    )
    try:
        card = reader.read_card(timeout)
    except DeviceUnavailable as error:
        _fail(EXIT_UNREACHABLE, str(error))
    except CardUnreadable as error:
        _fail(EXIT_UNREADABLE, str(error))
    finally:
        reader.close()
    if card is None:
        where = f"reader {reader_name!r}" if reader_name else "the first PC/SC reader"
        _fail(EXIT_NO_CARD, f"social security card reader: no card in {where} within {timeout:g} s")
    _print(sscard_json(card), as_json)


@hw.command()
@click.option("--port", default=None, help="The camera's index or device (/dev/video2); default: settings.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=30),
    default=None,
    help="Seconds the picture may take; default: devices.camera.capture_timeout.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the stable contract).")
@click.option("--driver", default="v4l", show_default=True, help="Driver name (camera.<driver>).")
def camera(port: str | None, timeout: float | None, as_json: bool, driver: str) -> None:
    """Have the face camera take one picture and print its size; the picture itself is dropped.

    Nothing is written or shown: a picture may be of whoever stands in front of the kiosk.
    """
    configured = load_or_exit().settings.devices.camera.model_dump()
    values = {**configured, "driver": driver, **({} if port is None else {"port": port})}
    wait = float(configured["capture_timeout"]) if timeout is None else timeout
    device = _build("camera", driver_section("camera", values))
    try:
        picture = device.capture(wait)
    except DeviceUnavailable as error:
        _fail(EXIT_UNREACHABLE, str(error))
    except DeviceError as error:
        _fail(EXIT_UNREADABLE, str(error))
    finally:
        device.close()
    try:
        width, height = jpeg_size(picture)
    except ValueError as error:
        _fail(EXIT_UNREADABLE, f"camera.{driver}: {error}")
    record = {
        "driver": driver,
        "port": values.get("port", ""),
        "format": "JPEG",
        "width": width,
        "height": height,
        "bytes": len(picture),
    }
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
    else:
        where = f" on {record['port']}" if record["port"] else ""
        click.echo(f"camera.{driver}{where}: a JPEG picture of {width}x{height}, {len(picture)} bytes")


hw.add_command(scan)
