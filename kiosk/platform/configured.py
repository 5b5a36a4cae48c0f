"""The platform this kiosk's settings name: the HTTP gateway, or a clear "not configured"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.platform.port import PlatformNotConfigured
from kiosk.platform.signing import Signer, UnsupportedAlgorithm, digest
from kiosk.settings.schema import PlatformSection

if TYPE_CHECKING:
    from kiosk.platform.gateway import HttpGateway


def platform_from_settings(section: PlatformSection) -> HttpGateway:
    """The gateway of `[platform]`; PlatformNotConfigured says why there is none (never the token)."""
    if not section.url:
        raise PlatformNotConfigured("platform.url is empty: this kiosk has no platform")
    token = section.token.get_secret_value() or _read_token_file(section.token_file)
    try:
        digest(section.alg, b"")
    except UnsupportedAlgorithm as error:
        raise PlatformNotConfigured(f"platform.alg: {error}") from error
    if section.ca_bundle and not Path(section.ca_bundle).is_file():
        raise PlatformNotConfigured(f"platform.ca_bundle: {section.ca_bundle} is not a file")
    signer = Signer(section.paas_id, token, section.alg)
    from kiosk.platform.gateway import HttpGateway  # HTTP loads on a kiosk that has a platform

    return HttpGateway(section.url, signer, timeout=section.timeout, ca_bundle=section.ca_bundle)


def _read_token_file(path: str) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise PlatformNotConfigured(f"platform.token_file: {path} cannot be read: {reason}") from error
    if not token:
        raise PlatformNotConfigured(f"platform.token_file: {path} is empty")
    return token


__all__ = ["platform_from_settings"]
