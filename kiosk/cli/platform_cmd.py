"""`kiosk platform`: the provincial platform's gateway, for technicians and tests (docs/platform.md).

Exit codes: 0 done; 1 the platform failed or is not configured; 3 the case does not exist;
4 the platform refused (a wrong query code); 2 is click's, for a bad flag.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any, NoReturn

import click

from kiosk.cli.loading import load_or_exit
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.gateway import HttpGateway
from kiosk.platform.port import (
    BadAnswer,
    ClockSkew,
    PlatformError,
    PlatformNotConfigured,
    PlatformRefused,
    PlatformTimeout,
    PlatformUnavailable,
    RateLimited,
    SignatureRejected,
)

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
    gateway = _gateway(as_json)
    try:
        offered = gateway.services()
    except PlatformError as error:
        _fail(as_json, error)
    finally:
        gateway.close()
    elapsed_ms = round((time.monotonic() - started) * 1000)
    if as_json:
        _echo_json({"ok": True, "url": gateway.url, "services": len(offered), "elapsed_ms": elapsed_ms})
    else:
        click.echo(f"ok: the gateway accepted a signed call ({len(offered)} services, {elapsed_ms} ms)")


@platform.command("services")
@_JSON
def services(as_json: bool) -> None:
    """The services as the kiosk would offer them, in the platform's order."""
    gateway = _gateway(as_json)
    try:
        offered = gateway.services()
    except PlatformError as error:
        _fail(as_json, error)
    finally:
        gateway.close()
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


def _gateway(as_json: bool) -> HttpGateway:
    try:
        return platform_from_settings(load_or_exit().settings.platform)
    except PlatformNotConfigured as error:
        _fail(as_json, error)


#: Why a call failed, in the words `kiosk platform check` uses (the first matching type wins).
_REASONS: tuple[tuple[type[PlatformError], str], ...] = (
    (SignatureRejected, "signature rejected"),
    (PlatformNotConfigured, "not configured"),
    (PlatformTimeout, "timeout"),
    (PlatformUnavailable, "unreachable"),
    (RateLimited, "rate limited"),
    (BadAnswer, "bad answer"),
    (PlatformRefused, "refused"),
)


def reason(error: PlatformError) -> str:
    """Why a call failed: "signature rejected", "kiosk clock is N s off ...", "unreachable", ..."""
    if isinstance(error, ClockSkew):
        return str(error)
    return next((text for kind, text in _REASONS if isinstance(error, kind)), "failed")


def _fail(as_json: bool, error: PlatformError) -> NoReturn:
    code = EXIT_FAILED
    document: dict[str, Any] = {"ok": False, "reason": reason(error), "detail": str(error)}
    if isinstance(error, PlatformRefused):
        code = EXIT_NOT_FOUND if error.code == "NOT_FOUND" else EXIT_REFUSED
        document.update(code=error.code, message=error.message)
    if isinstance(error, ClockSkew):
        document["clock_off_seconds"] = error.seconds
    if as_json:
        _echo_json(document)
    elif isinstance(error, PlatformRefused):
        click.echo(f"refused ({error.code}): {error.message}", err=True)
    else:
        click.echo(f"{reason(error)}: {error}", err=True)
    raise SystemExit(code)


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


__all__ = ["platform", "reason"]
