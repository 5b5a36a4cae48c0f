"""Giving a kiosk its identity and its trust in the fleet repository."""

from __future__ import annotations

import shutil
from pathlib import Path

from tuf.api.metadata import Metadata, Root

from kiosk.paths import hand_to_data_owner, resolve_data_dir, trust_dir
from kiosk.provision.site import lookup, merged, read_site_values, validate_site, write_site
from kiosk.settings import SettingsError
from kiosk.storage import write_file_atomically


class ProvisionError(RuntimeError):
    """Provisioning refused: the message says which input is wrong."""


def check_trust_root(path: Path) -> bytes:
    """The bytes of a root metadata file that is well-formed and signed by its own keys."""
    try:
        data = path.read_bytes()
        root_md: Metadata[Root] = Metadata.from_bytes(data)
    except OSError as error:
        raise ProvisionError(f"trust root {path} cannot be read: {error.strerror}") from error
    except Exception as error:  # tuf raises several kinds for malformed metadata
        raise ProvisionError(f"trust root {path} is not TUF root metadata: {error}") from error
    if not isinstance(root_md.signed, Root):
        raise ProvisionError(f"trust root {path} is {root_md.signed.type} metadata, not root")
    try:
        root_md.signed.verify_delegate(Root.type, root_md.signed_bytes, root_md.signatures)
    except Exception as error:
        raise ProvisionError(f"trust root {path} is not signed by its own root keys: {error}") from error
    return data


def fleet_settings(kiosk_id: str, group: str, repo_url: str) -> dict[str, str]:
    """The site file keys that bind a kiosk to its fleet (dotted keys, for `kiosk.provision.site`)."""
    return {"kiosk.id": kiosk_id, "sync.group": group, "sync.repo_url": repo_url}


def store_trust_root(root_bytes: bytes, data: Path) -> Path:
    """Keep a checked trust root under the data directory, replacing whatever was trusted before.

    The directory goes to the data directory's owner: the TUF client, run as the kiosk user,
    writes the newer metadata it fetches beside the root.
    """
    trust = trust_dir(data)
    shutil.rmtree(trust, ignore_errors=True)  # a new trust root replaces what was trusted before
    trust.mkdir(parents=True)
    write_file_atomically(trust / "root.json", root_bytes)
    hand_to_data_owner(data, trust)
    return trust / "root.json"


def provision(
    site_file: Path,
    *,
    kiosk_id: str,
    group: str,
    repo_url: str,
    trust_root: Path,
    environ: dict[str, str] | None = None,
) -> Path:
    """Write identity and repository into the site file and the trust root under the data directory.

    Everything is checked first; the site file is replaced atomically, other keys in it are kept.
    Returns the data directory the trust was stored in.
    """
    root_bytes = check_trust_root(trust_root)
    try:
        current = merged(read_site_values(site_file), fleet_settings(kiosk_id, group, repo_url))
        validate_site(site_file, current)
        data = resolve_data_dir(str(lookup(current, "kiosk.data_dir") or ""), environ, str(site_file))
    except SettingsError as error:
        raise ProvisionError(str(error)) from error
    store_trust_root(root_bytes, data)
    write_site(site_file, current)
    return data
