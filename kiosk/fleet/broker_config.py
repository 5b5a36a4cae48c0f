"""The fleet broker's Mosquitto configuration: its conf.d fragment and its ACL, in one place.

scripts/install-broker writes exactly these texts on the administrators' server, and the tests start
a private mosquitto on them (tests/mosquitto.py), so what the tests prove about the ACL is what the
installer installs. Only the standard library: the installer loads this file on a server where the
kiosk's dependencies need not be installed.

The ACL (docs/fleet.md, "The broker on one machine"): a kiosk's username is its kiosk id; it may
write only its own `kiosk/v1/{id}/{status,reported,telemetry,event,result/+}` and read only its own
`kiosk/v1/{id}/cmd/+`. The console's user reads `kiosk/v1/#` and alone writes `kiosk/v1/+/cmd/+`.
A regional broker bridged to the central one logs in there as `bridge-{region}`: it writes what
its kiosks write and reads the commands (docs/fleet.md, "Past one machine").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

#: The topics' root (version 1 of the channel's forms).
ROOT = "kiosk/v1"
#: The console's username at the broker. Every administrators' account (the console's, and one for
#: each administrator's command line: `console-<name>`) reads every kiosk and writes commands; each
#: has its own, since the broker gives an account one connection at a time (its client id is its
#: username) and a second login would take the first one's over.
CONSOLE_USER = "console"
CONSOLE_PREFIX = "console-"
#: A regional broker's account at the central one is this prefix and the region's name.
BRIDGE_PREFIX = "bridge-"
#: Under a kiosk's own `kiosk/v1/{id}/`: what it writes, and what it reads.
KIOSK_WRITES = ("status", "reported", "telemetry", "event", "result/+")
KIOSK_READS = ("cmd/+",)
#: A kiosk id as the kiosk's settings take it (kiosk.id): no MQTT wildcard, no level separator.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)
#: The files install-broker keeps in mosquitto's configuration directory (/etc/mosquitto).
CONF_NAME = "conf.d/kiosk-fleet.conf"
PASSWORD_NAME = "kiosk-fleet.passwd"
ACL_NAME = "kiosk-fleet.acl"
#: The QoS each kind of message is published with (fleet-channel.md): telemetry 0, the rest 1.
_QOS = {"status": 1, "reported": 1, "telemetry": 0, "event": 1, "result/+": 1}
PLAIN_PORT = 1883
TLS_PORT = 8883
#: The largest MQTT packet the broker takes from a client; a client that sends a larger one is
#: disconnected (for a kiosk: its will, `lost`, and the unacknowledged message sent again on every
#: reconnect). The largest thing on the channel is a screenshot's result: the window's RGB pixels as
#: PNG in base64. At 1920x1080 a picture that does not compress at all is 1920*1080*3 bytes plus a
#: filter byte per row and deflate's stored-block headers, about 6.23 MB, so 8.31 MB of base64;
#: ordinary screens are 1-3 MB. 16 MiB keeps that worst case with room (a 2560x1440 panel's worst,
#: 14.7 MB, still passes) and still stops a client from handing the broker hundreds of megabytes
#: (MQTT's own ceiling is 256 MiB).
MAX_PACKET_SIZE = 16 * 1024 * 1024


class BadName(ValueError):
    """A username the ACL cannot confine (not a kiosk id, or the console's own name)."""


def check_kiosk_id(kiosk_id: str) -> str:
    """`kiosk_id` when it can be a kiosk's username: as kiosk.id allows, and not the console's."""
    if not _NAME.fullmatch(kiosk_id):
        raise BadName(
            f"{kiosk_id!r} is not a kiosk id (letters, digits, '.', '_', '-', at most 64, "
            "starting with a letter or digit)"
        )
    if is_console_user(kiosk_id):
        raise BadName(
            f"{kiosk_id!r}: {CONSOLE_USER!r} and names starting {CONSOLE_PREFIX!r} are "
            "administrators' accounts"
        )
    if kiosk_id.startswith(BRIDGE_PREFIX):
        raise BadName(f"{kiosk_id!r}: names starting with {BRIDGE_PREFIX!r} are regional brokers' accounts")
    return kiosk_id


def console_user(name: str | None = None) -> str:
    """An administrators' account: `console` (the console's), or `console-<name>` (one person's or
    one tool's)."""
    if name is None:
        return CONSOLE_USER
    if not _NAME.fullmatch(name) or len(CONSOLE_PREFIX + name) > 64:
        raise BadName(f"{name!r} is not an account name (letters, digits, '.', '_', '-', at most 56)")
    return CONSOLE_PREFIX + name


def is_console_user(user: str) -> bool:
    """Whether `user` is an administrators' account."""
    return user == CONSOLE_USER or user.startswith(CONSOLE_PREFIX)


def bridge_user(region: str) -> str:
    """The account a region's broker logs in to the central one with: bridge-{region}."""
    if not _NAME.fullmatch(region) or len(BRIDGE_PREFIX + region) > 64:
        raise BadName(f"{region!r} is not a region name (letters, digits, '.', '_', '-', at most 57)")
    return BRIDGE_PREFIX + region


def acl_text(consoles: Iterable[str] = (), bridges: Iterable[str] = ()) -> str:
    """The ACL file: the administrators' accounts' rights (`console` always, and `consoles`), each
    bridge account's, then one `pattern` per kiosk right (%u: the username)."""
    lines = [
        "# The fleet channel's ACL (scripts/install-broker, from kiosk/fleet/broker_config.py).",
        "# The administrators' accounts read every kiosk's topics and alone write commands.",
    ]
    for user in sorted({CONSOLE_USER, *consoles}):
        lines += [f"user {user}", f"topic read {ROOT}/#", f"topic write {ROOT}/+/cmd/+", ""]
    for user in sorted(bridges):
        lines += [
            "# A regional broker: forwards its kiosks' topics here, and the console's commands to them.",
            f"user {user}",
            *(f"topic write {ROOT}/+/{topic}" for topic in KIOSK_WRITES),
            *(f"topic read {ROOT}/+/{topic}" for topic in KIOSK_READS),
            "",
        ]
    lines += [
        "# Every user is also confined by these patterns: a kiosk's username is its kiosk id, so it",
        "# writes only under its own kiosk/v1/{id}/ and reads only its own commands.",
    ]
    lines += [f"pattern write {ROOT}/%u/{topic}" for topic in KIOSK_WRITES]
    lines += [f"pattern read {ROOT}/%u/{topic}" for topic in KIOSK_READS]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Listener:
    """One listener: a port on an address, with TLS when it has a certificate and its key."""

    port: int
    address: str
    certfile: str = ""
    keyfile: str = ""

    def lines(self) -> list[str]:
        lines = [f"listener {self.port} {self.address}"]
        if self.certfile:
            lines += [f"certfile {self.certfile}", f"keyfile {self.keyfile}"]
        # Mosquitto keeps this one per listener whatever per_listener_settings says: it must follow
        # each `listener` line (before them it is silently not applied).
        lines.append("use_username_as_clientid true")
        return lines


def listeners(
    address: str,
    *,
    port: int = PLAIN_PORT,
    certfile: str = "",
    keyfile: str = "",
    tls_port: int = TLS_PORT,
    plain: bool = True,
) -> list[Listener]:
    """Plain MQTT on `address`:`port` (unless `plain` is False), and TLS on `tls_port` given a
    certificate and its key."""
    if bool(certfile) != bool(keyfile):
        raise ValueError("TLS needs both a certificate and its key")
    found = [Listener(port, address)] if plain else []
    if certfile:
        found.append(Listener(tls_port, address, certfile, keyfile))
    if not found:
        raise ValueError("no listener: give a certificate and key, or keep the plain listener")
    return found


def bridge_text(region: str, host: str, port: int, password: str, cafile: str = "") -> str:
    """A regional broker's bridge to the central one: what its kiosks write goes out (QoS as they
    publish it), the console's commands come in. MQTT 3.1.1, a clean session, no loops (no topic
    goes both ways). `cafile`: TLS to the central broker, whose certificate must chain to it."""
    user = bridge_user(region)
    lines = [
        "# This region's bridge to the fleet's central broker (docs/fleet.md, \"Past one machine\"):",
        "# written by scripts/install-broker bridge. It holds the bridge's password: mode 0640.",
        f"connection kiosk-fleet-{region}",
        f"address {host}:{port}",
        f"remote_clientid {user}",
        f"remote_username {user}",
        f"remote_password {password}",
        "bridge_protocol_version mqttv311",
        "cleansession true",
        "try_private true",
        "notifications false",
    ]
    if cafile:
        lines.append(f"bridge_cafile {cafile}")
    lines += [f"topic {ROOT}/+/{topic} out {_QOS[topic]}" for topic in KIOSK_WRITES]
    lines += [f"topic {ROOT}/+/{topic} in 1" for topic in KIOSK_READS]
    return "\n".join(lines) + "\n"


def conf_text(config_dir: str, chosen: list[Listener]) -> str:
    """The conf.d fragment: the listeners, no anonymous clients, the password file and the ACL,
    client ids that are the usernames, and the largest packet a client may send.

    `use_username_as_clientid`: the ACL confines what an account writes and reads, but not which
    client id it connects with; MQTT lets a new connection with a client id take that id over, so
    any kiosk's account could knock another kiosk off by connecting as `kiosk-{its id}` (flapping
    `lost`/`online`). With the client id replaced by the username, an account can only ever take
    over its own connection. One connection per account at a time, then: a second login with the
    same account (the console's included) closes the first.

    Debian's /etc/mosquitto/mosquitto.conf includes conf.d and already sets the pid file,
    persistence and the log; this fragment adds only what the fleet needs.
    """
    directory = PurePosixPath(config_dir)
    lines = [
        "# The fleet channel's broker (docs/fleet.md): written by scripts/install-broker, which",
        "# rewrites it on every run. Kiosks and the console log in; each is confined by the ACL.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {directory / PASSWORD_NAME}",
        f"acl_file {directory / ACL_NAME}",
        "# A screenshot's result is the largest message, at most ~8.3 MB (1920x1080, incompressible).",
        f"max_packet_size {MAX_PACKET_SIZE}",
        "",
    ]
    for listener in chosen:
        lines += listener.lines()
    return "\n".join(lines) + "\n"
