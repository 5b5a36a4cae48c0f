"""Publishing configuration for all kiosks, a group, or one kiosk, validated before it is signed."""

from __future__ import annotations

from pathlib import Path

from kiosk.publishing.repository import FleetRepository
from kiosk.release_format import config_target, validate_pushed_config


def publish_config(repository: FleetRepository, source: Path, scope: str, name: str = "") -> str:
    """Validate `source` and publish it for the scope; returns the target path."""
    data = source.read_bytes()
    validate_pushed_config(data, str(source))
    target = config_target(scope, name)
    repository.publish({target: data}, replace_prefix=target)
    return target
