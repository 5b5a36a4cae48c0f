"""The settings schema: every key the core understands, with its type and its limits.

The keys of a driver's own (a reader's port, a printer's queue) come with the driver: the settings
model it registers in `kiosk.driver_settings` extends its device's section here
(kiosk.devices.settings_schema puts them together; docs/drivers.md).
"""

from __future__ import annotations

import base64
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator, model_validator

from kiosk.fleet.forms import broker_address
from kiosk.technician.pin import is_pin_hash

_WINDOW_SIZE = re.compile(r"^(\d{3,5})x(\d{3,5})$", re.ASCII)  # 0-9 only (kiosk.digits)
#: The barcode symbologies a scanner can be restricted to (zbar's, in lowercase).
SYMBOLOGY_NAMES = ("qrcode", "ean13", "ean8", "upca", "code128", "code39", "i25", "databar")


#: What the machine is: a laptop or bench, an installed appliance, or an appliance that shows its
#: simulators (a showroom). Only "development" and "showroom" run a device on its simulator.
KioskMode = Literal["development", "appliance", "showroom"]


class _Section(BaseModel):
    # Unknown keys are errors (a typo must not silently fall back to a default) and settings are
    # values: nothing changes them behind the back of the code that read them.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class KioskSection(_Section):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    site_name: str = Field(min_length=1)
    #: Street address of the site, printed on receipts and the doctor's report.
    site_address: str
    #: Where a resident gets help from a person ("一楼服务台"): named by every friendly failure.
    help_desk: str
    language: Literal["zh_CN", "en"]
    data_dir: str
    #: "development", "appliance" or "showroom": whether a device on its simulator runs (see
    #: kiosk.devices.out_of_service_reason).
    mode: KioskMode


class DisplaySection(_Section):
    fullscreen: bool
    window_size: str
    theme: Literal["standard", "elder", "high_contrast"]
    rotation: Literal[0, 90, 180, 270]
    blank_after_minutes: float = Field(ge=0, le=24 * 60)
    touch_swap_xy: bool
    touch_invert_x: bool
    touch_invert_y: bool

    @field_validator("window_size")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _WINDOW_SIZE.match(value):
            raise ValueError("must look like 1920x1080")
        return value

    @property
    def window_pixels(self) -> tuple[int, int]:
        """The window size as (width, height) in pixels."""
        width, height = value_pair(self.window_size)
        return width, height


class NoticeSection(_Section):
    """One notice the attract screen shows in turn: a text, an image, or both."""

    #: In Chinese: what every resident reads.
    text: str = ""
    #: The same in English, shown when the kiosk's language is English (else `text` shows).
    text_en: str = ""
    #: An image file; a relative path is looked up in config/demo. Missing or broken: skipped.
    image: str = ""

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if value and not value.lower().endswith((".png", ".jpg", ".jpeg")):
            raise ValueError("must be a .png or .jpg file")
        return value

    @model_validator(mode="after")
    def _something(self) -> NoticeSection:
        if not (self.text or self.text_en or self.image):
            raise ValueError("a notice needs a text or an image")
        return self


class AttractSection(_Section):
    notices: list[NoticeSection]
    seconds_per_notice: float = Field(gt=0, le=600)


class SessionSection(_Section):
    idle_seconds: float = Field(gt=5, le=3600)
    warning_seconds: float = Field(gt=0, le=300)


class GuidesSection(_Section):
    load_demo: bool


class HandoverSection(_Section):
    url_template: str = Field(min_length=1)

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            value.format(guide_id="x", kiosk_id="x", lang="x")
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"unknown field {error} in the template; use {{guide_id}}, {{kiosk_id}}, {{lang}}"
            ) from error
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) address")
        return value


class DeviceSection(_Section):
    """What every device section has: the name of the driver that runs the device.

    A driver's own keys (a port, a queue, a voice) are not here: the settings model the driver
    registers in `kiosk.driver_settings`, a subclass of the device's section below, declares them
    (see kiosk.driver_api and docs/drivers.md), and the loader validates each device's table
    against the section of its kind and the settings models of the drivers installed for it.
    """

    driver: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")

    def driver_setting(self, key: str) -> Any:
        """A key of the driver's own (`port`, `queue`), for a technician's message; "" when its
        driver does not declare one."""
        return getattr(self, key, "")


class IdReaderSection(DeviceSection):
    """An ID card reader: nothing the core reads beyond its driver."""


class SocialSecurityReaderSection(DeviceSection):
    """A social security card reader: nothing the core reads beyond its driver."""


class ScannerSection(DeviceSection):
    """A code scanner, and which of the codes it reads are resident codes (the core's rule)."""

    resident_code_patterns: list[str]

    @field_validator("resident_code_patterns")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{pattern!r} is not a regular expression: {error}") from error
        return value


class PrinterSection(DeviceSection):
    """A printer: the paper the core lays documents out for, and how long it waits for a job."""

    paper: Literal["a4", "receipt80"]
    job_timeout: float = Field(gt=0, le=600)


class SpeakerSection(DeviceSection):
    """A speaker: whether the core offers voice guidance when a visit starts."""

    #: Voice guidance is on at the start of each visit (the resident can switch it either way).
    enabled: bool


class CameraSection(DeviceSection):
    """The face camera: how long the core lets one picture take before telling the resident."""

    #: Seconds one capture may take (opening the camera, its warm-up, the picture).
    capture_timeout: float = Field(gt=0, le=30)


class DevicesSection(_Section):
    id_reader: IdReaderSection
    sscard_reader: SocialSecurityReaderSection
    scanner: ScannerSection
    printer: PrinterSection
    speaker: SpeakerSection
    camera: CameraSection


class SyncSection(_Section):
    repo_url: str
    group: str = Field(pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    interval_minutes: float = Field(ge=1, le=24 * 60)
    jitter_seconds: float = Field(ge=0, le=3600)
    backoff_max_minutes: float = Field(ge=1, le=24 * 60)
    offline_after_hours: float = Field(gt=0, le=24 * 30)

    @field_validator("repo_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) address, or empty when the kiosk does not sync")
        return value.rstrip("/")


class TechnicianSection(_Section):
    pin_hash: str
    max_pin_attempts: int = Field(ge=1, le=20)
    lockout_minutes: float = Field(gt=0, le=24 * 60)
    idle_minutes: float = Field(gt=0, le=60)

    @field_validator("pin_hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        if value and not is_pin_hash(value):
            raise ValueError("must be a hash made by `kiosk provision` (scrypt$n$r$p$salt$hash)")
        return value


class LoggingSection(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"]
    format: Literal["text", "json"]


class HallEntry(_Section):
    """A service hall taking counter appointments from this kiosk, and its counters."""

    #: The platform's id of the hall (`hall` in the appointment calls).
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    address: str = ""
    #: The platform's service id of each counter -> its name, in the order they are offered.
    counters: dict[str, str] = Field(min_length=1)


class PlatformSection(_Section):
    """The provincial platform's gateway this kiosk transacts through (docs/platform.md)."""

    #: The kiosk's application id at the gateway (provisioned, not secret).
    paas_id: str = Field(pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
    #: The kiosk's secret: shown masked by `kiosk config show`, never logged.
    token: SecretStr
    #: A file holding the secret instead (one line), readable by the kiosk's account only.
    token_file: str
    alg: Literal["SHA256", "SM3"]
    #: Seconds a resident step may take at most, retries included.
    timeout: float = Field(gt=0, le=60)
    #: A CA bundle (PEM) the gateway's certificate must chain to; empty: the system's.
    ca_bundle: str
    #: The most pages of a delivered document the kiosk prints; a longer one is not printed here.
    max_pages: int = Field(ge=1, le=500)
    #: The halls residents may book appointments at from this kiosk; none: no appointments.
    halls: list[HallEntry]
    #: The gateway's base address; empty: this kiosk has no platform and its services are out of
    #: service. Last, so that its check sees the keys it needs (and blames the file that set it).
    url: str

    @field_validator("paas_id", "token", mode="before")
    @classmethod
    def _digits_are_text(cls, value: object) -> object:
        # KIOSK__PLATFORM__TOKEN=20261207 reads as a TOML number; an id or a secret made of digits is text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("token_file")
    @classmethod
    def _token_file(cls, value: str, info: ValidationInfo) -> str:
        if value and _has_token(info.data.get("token")):
            raise ValueError("set platform.token or platform.token_file, not both")
        if value and not value.startswith("/"):
            raise ValueError("must be an absolute path")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) address, or empty when the kiosk has no platform")
        if "paas_id" in info.data and not info.data["paas_id"]:
            raise ValueError("needs platform.paas_id (the id the gateway gave this kiosk)")
        if "token_file" in info.data and not (info.data["token_file"] or _has_token(info.data.get("token"))):
            raise ValueError("needs platform.token or platform.token_file (the kiosk's secret)")
        return value.rstrip("/")


#: mqtt://host:port or mqtts://host:port, the host a name, an IPv4 or a bracketed IPv6 address.
_BROKER = re.compile(r"^mqtts?://(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$", re.ASCII)


class FleetSection(_Section):
    """The live fleet channel (kiosk.fleet, docs/fleet.md): an MQTT broker the kiosk reports to."""

    #: The broker's username; empty: the kiosk's id (the broker's ACL confines a kiosk by it).
    username: str = Field(pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    #: The kiosk's password at the broker, or (better) password_file: never logged, shown masked.
    password: SecretStr
    password_file: str
    #: Seconds between keepalive pings: a kiosk gone without a word is "lost" within 1.5 x this.
    keepalive: int = Field(ge=5, le=3600)
    #: Seconds between two telemetry messages.
    telemetry_interval: float = Field(ge=5, le=24 * 3600)
    #: The administrators' command keys: each the base64 of an Ed25519 public key's 32 raw bytes.
    #: None: every command is refused.
    command_keys: list[str]
    #: A CA bundle (PEM) an mqtts:// broker's certificate must chain to; empty: the system's CAs.
    ca_bundle: str
    #: What a `reboot` command runs (an argv); empty: reboot is refused on this kiosk.
    reboot_command: list[str]
    #: `mqtt://host:port` or `mqtts://host:port`; empty: no live channel. Last, so that its check
    #: sees the keys above.
    broker: str

    @field_validator("password", mode="before")
    @classmethod
    def _digits_are_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("password_file", "ca_bundle")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("must be an absolute path")
        return value

    @field_validator("command_keys")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        for key in value:
            try:
                raw = base64.b64decode(key, validate=True)
            except ValueError:
                raw = b""
            if len(raw) != 32:
                raise ValueError(f"{key!r} is not an Ed25519 public key (base64 of 32 bytes)")
        return value

    @field_validator("broker")
    @classmethod
    def _broker(cls, value: str, info: ValidationInfo) -> str:
        if value and not _BROKER.match(value):
            raise ValueError("must be mqtt://host:port or mqtts://host:port, or empty for no live channel")
        password = info.data.get("password")
        if (
            value
            and isinstance(password, SecretStr)
            and password.get_secret_value()
            and info.data.get("password_file")
        ):
            raise ValueError("set fleet.password or fleet.password_file, not both")
        return value

    @property
    def broker_address(self) -> tuple[str, int, bool]:
        """(host, port, tls) of the broker (kiosk.fleet.forms.broker_address)."""
        return broker_address(self.broker)


def _has_token(token: object) -> bool:
    return isinstance(token, SecretStr) and bool(token.get_secret_value())


class Settings(_Section):
    """The kiosk's effective settings, validated, after every layer has been applied."""

    kiosk: KioskSection
    display: DisplaySection
    attract: AttractSection
    session: SessionSection
    guides: GuidesSection
    handover: HandoverSection
    devices: DevicesSection
    sync: SyncSection
    technician: TechnicianSection
    platform: PlatformSection
    fleet: FleetSection
    logging: LoggingSection


def value_pair(text: str) -> tuple[int, int]:
    """Parse "WIDTHxHEIGHT" into two integers (the caller has validated the form)."""
    match = _WINDOW_SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    return int(match.group(1)), int(match.group(2))
