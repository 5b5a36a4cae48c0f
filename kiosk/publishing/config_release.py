"""Publishing configuration for all kiosks, a group, or one kiosk, validated before it is signed;
and a staged rollout of one: first to a sync group's kiosks (staged/<group>/...), then to all."""

from __future__ import annotations

from pathlib import Path

from kiosk.publishing.repository import FleetRepository, RepositoryError
from kiosk.release_format import config_target, staged_target, validate_pushed_config


def publish_config(repository: FleetRepository, source: Path, scope: str, name: str = "") -> str:
    """Validate `source` and publish it for the scope; returns the target path."""
    data = source.read_bytes()
    validate_pushed_config(data, str(source))
    target = config_target(scope, name)
    repository.publish({target: data}, replace_prefix=target)
    return target


def stage_config(repository: FleetRepository, data: bytes, scope: str, name: str, group: str) -> str:
    """Validate `data` and publish it for the scope's kiosks of sync group `group` only
    (staged/<group>/<target>, which they prefer to <target>); returns the staged target."""
    validate_pushed_config(data, f"{scope} configuration")
    staged = staged_target(group, config_target(scope, name))
    repository.publish({staged: data}, replace_prefix=staged)
    return staged


def promote_config(repository: FleetRepository, scope: str, name: str, group: str) -> str:
    """Publish the configuration staged for `group` to the whole scope and drop the staged one;
    returns the target path."""
    target = config_target(scope, name)
    staged = staged_target(group, target)
    with repository.lock():
        if staged not in repository.targets():
            raise RepositoryError(f"no configuration is staged at {staged}")
        repository.publish({target: repository.target_bytes(staged)}, replace_prefix=target, remove=[staged])
    return target


def abort_config(repository: FleetRepository, scope: str, name: str, group: str) -> None:
    """Drop the configuration staged for `group`: its kiosks go back to <target> (or to none)."""
    repository.publish({}, remove=[staged_target(group, config_target(scope, name))])
