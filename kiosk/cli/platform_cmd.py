"""`kiosk platform`: the provincial platform's gateway, for technicians and tests (docs/platform.md).

Exit codes: 0 done; 1 the platform failed or is not configured; 3 the case (for `run`: the
resident's record) does not exist; 4 the platform refused (a wrong query code, a face needed, ...);
2 a bad flag, or (`run`) a service not offered, a bad or missing --param, an unreadable card file.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.cli.loading import load_or_exit
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.gateway import HttpGateway
from kiosk.platform.port import (
    ClockSkew,
    PlatformError,
    PlatformNotConfigured,
    PlatformRefused,
    failure_reason,
)
from kiosk.platform.records import Document, Service
from kiosk.platform.service_flow import (
    CardFileError,
    Outcome,
    ServiceRequestError,
    gives_documents,
    identity_from_card_file,
    plan,
)
from kiosk.platform.service_flow import run as run_service
from kiosk.records.identity import Identity

#: Exit codes beyond click's (2: usage).
EXIT_FAILED, EXIT_NOT_FOUND, EXIT_REFUSED = 1, 3, 4

_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")


@click.group()
def platform() -> None:
    """The provincial government platform's gateway: check it, list its services, follow a case."""


@platform.command("check")
@_JSON
def check(as_json: bool) -> None:
    """Exit 0 when the gateway accepts a signed call; else exit 1 and say why."""
    started = time.monotonic()
    url, offered = _offered(as_json)
    elapsed_ms = round((time.monotonic() - started) * 1000)
    if as_json:
        _echo_json({"ok": True, "url": url, "services": len(offered), "elapsed_ms": elapsed_ms})
    else:
        click.echo(f"ok: the gateway accepted a signed call ({len(offered)} services, {elapsed_ms} ms)")


@platform.command("services")
@_JSON
def services(as_json: bool) -> None:
    """The services as the kiosk would offer them, in the platform's order."""
    _url, offered = _offered(as_json)
    if as_json:
        _echo_json([asdict(service) for service in offered])
        return
    for service in offered:
        click.echo(f"{service.id}\t{service.kind}\t{service.level}\t{service.name}\t{service.name_en}")


@platform.command("case")
@click.argument("case_no")
@click.option("--query-code", required=True, help="The query code printed on the case's receipt.")
@_JSON
def case(case_no: str, query_code: str, as_json: bool) -> None:
    """A case's progress: exit 3 when it does not exist, 4 when the platform refuses."""
    gateway = _gateway(as_json)
    try:
        found = gateway.case(case_no, query_code)
    except PlatformError as error:
        _fail(as_json, error)
    finally:
        gateway.close()
    if as_json:
        _echo_json(asdict(found))
        return
    click.echo(f"{found.case_no}  {found.service_name}  {found.status}")
    for stage in found.stages:
        click.echo(f"  [{'x' if stage.done else ' '}] {stage.name}  {stage.at or ''}")
    click.echo(f"rateable: {'yes' if found.rateable else 'no'}")


@platform.command("run")
@click.argument("service_id")
@click.option(
    "--card",
    "card_file",
    type=click.Path(path_type=Path),
    help="The resident's card file (config/demo/cards/*.json); not needed for level-none services.",
)
@click.option(
    "--param", "raw_params", multiple=True, metavar="KEY=VALUE", help="A service parameter; repeatable."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where a document service writes its files (required for them).",
)
@click.option(
    "--face",
    "face_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A JPEG of the resident's face, for a face-level session (headless runs have no camera).",
)
@_JSON
def run(  # noqa: PLR0917 - click passes every option by position
    service_id: str,
    card_file: Path | None,
    raw_params: tuple[str, ...],
    out_dir: Path | None,
    face_file: Path | None,
    as_json: bool,
) -> None:
    """Run a resident's service headless, as the kiosk would, for the resident on a card file.

    Documents go to --out (their files, digests and verification codes are listed); the platform
    session is closed at the end whatever happened. Exit 3 when there is no record, 4 when the
    platform refuses (its message printed as given), 1 when it fails, 2 for a bad request.
    """
    params = _params(raw_params)
    identity = _card(card_file)
    if gives_documents(service_id) and out_dir is None:
        raise click.UsageError(f"{service_id} gives documents: say where with --out DIR")
    face_jpeg = face_file.read_bytes() if face_file is not None else None
    gateway = _gateway(as_json)
    try:
        try:
            checked = plan(gateway.services(), service_id, params, identity, face_jpeg=face_jpeg)
        except ServiceRequestError as error:
            raise click.UsageError(str(error)) from error
        outcome = run_service(gateway, checked)
    except PlatformError as error:
        _fail(as_json, error, not_found=_NO_RECORD)
    finally:
        gateway.close()
    files = _write_documents(outcome.documents, out_dir) if outcome.documents else []
    _show(outcome, files, as_json)


#: The refusals that mean "nothing on record" (exit 3) for `run`.
_NO_RECORD = frozenset({"NOT_FOUND", "NO_RECORD"})


def _params(raw_params: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{raw!r} is not KEY=VALUE", param_hint="--param")
        if key.strip() in params:
            raise click.BadParameter(f"{key.strip()} is given twice", param_hint="--param")
        params[key.strip()] = value.strip()
    return params


def _card(card_file: Path | None) -> Identity | None:
    if card_file is None:
        return None
    try:
        return identity_from_card_file(card_file)
    except CardFileError as error:
        raise click.BadParameter(str(error), param_hint="--card") from error


def _write_documents(documents: tuple[Document, ...], out_dir: Path | None) -> list[dict[str, Any]]:
    assert out_dir is not None  # run() asked for --out before calling the platform
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for document in documents:
        name = Path(document.file_name).name  # the platform's name, never a path out of --out
        if name in {"", ".", ".."}:
            name = f"document-{document.sha256[:12]}"
        path = out_dir / name
        path.write_bytes(document.content)
        written.append(
            {
                "file": str(path),
                "media_type": document.media_type,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "verify_code": document.verify_code,
                "verify_url": document.verify_url,
                "pages": document.pages,
            }
        )
    return written


def _plain(value: object) -> Any:
    """A record (or list of them) as JSON values: Decimal amounts as text, days as ISO-8601."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _show(outcome: Outcome, files: list[dict[str, Any]], as_json: bool) -> None:
    service = outcome.service
    if as_json:
        _echo_json(
            {
                "ok": True,
                "service": service.id,
                "kind": service.kind,
                "level": service.level,
                "result": _plain(outcome.value),
                "documents": files,
            }
        )
        return
    value = _plain(outcome.value)
    for record in value if isinstance(value, list) else [] if value is None else [value]:
        click.echo(
            "\t".join(str(item) for item in record.values()) if isinstance(record, dict) else str(record)
        )
    for file in files:
        click.echo(f"wrote {file['file']}  sha256 {file['sha256']}  verify code {file['verify_code']}")
    click.echo(f"done: {service.id} ({service.name_en})")


def _offered(as_json: bool) -> tuple[str, list[Service]]:
    """The gateway's URL and the services it lists (one signed call), or exit 1 saying why."""
    gateway = _gateway(as_json)
    try:
        return gateway.url, gateway.services()
    except PlatformError as error:
        _fail(as_json, error)
    finally:
        gateway.close()


def _gateway(as_json: bool) -> HttpGateway:
    try:
        return platform_from_settings(load_or_exit().settings.platform)
    except PlatformNotConfigured as error:
        _fail(as_json, error)


def _fail(
    as_json: bool, error: PlatformError, not_found: frozenset[str] = frozenset({"NOT_FOUND"})
) -> NoReturn:
    code = EXIT_FAILED
    document: dict[str, Any] = {"ok": False, "reason": failure_reason(error), "detail": str(error)}
    if isinstance(error, PlatformRefused):
        code = EXIT_NOT_FOUND if error.code in not_found else EXIT_REFUSED
        document.update(code=error.code, message=error.message)
    if isinstance(error, ClockSkew):
        document["clock_off_seconds"] = error.seconds
    if as_json:
        _echo_json(document)
    elif isinstance(error, PlatformRefused):
        click.echo(f"refused ({error.code}): {error.message}", err=True)
    else:
        click.echo(f"{failure_reason(error)}: {error}", err=True)
    raise SystemExit(code)


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


__all__ = ["platform"]
