"""The fleet's live channel on a kiosk being provisioned: its broker and the password it logs in with.

The password comes in a file (`scripts/install-broker add-kiosk ID` writes one per kiosk on the
broker's server). Provisioning copies it into the data directory, mode 0600 and owned by the kiosk's
account (the data directory's owner), and points `fleet.password_file` at the copy: the kiosk reads
its first line. The site file never holds the password itself.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.paths import hand_to_data_owner
from kiosk.provision.questions import BadAnswer
from kiosk.storage import write_file_atomically

#: The copy's name in the data directory.
PASSWORD_NAME = "fleet-password"
PASSWORD_MODE = 0o600
#: `--broker none`: this kiosk has no live channel.
NO_BROKER = "none"


def read_password(path: Path) -> str:
    """The password in the first line of `path` (BadAnswer when there is none)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BadAnswer(f"--broker-password-file: {path} cannot be read: {error}") from error
    password = (lines or [""])[0].strip()
    if not password:
        raise BadAnswer(f"--broker-password-file: {path} holds no password (its first line is empty)")
    return password


def password_path(data: Path) -> Path:
    """Where the kiosk's copy of its broker password lives (an absolute path, as the setting wants)."""
    return data.absolute() / PASSWORD_NAME


def store_password(data: Path, password: str) -> Path:
    """Write the password into the data directory, mode 0600, handed to the kiosk's account."""
    target = password_path(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(target, f"{password}\n".encode(), mode=PASSWORD_MODE)
    hand_to_data_owner(data.absolute(), target)
    return target
