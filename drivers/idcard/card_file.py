"""Cards for the ID reader simulator, read from JSON files (the format is in config/demo/cards/README.md)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from drivers.card_files import CardFileError
from kiosk.driver_api import IdCard

#: The "document" key of a card file and the card type and text layout flag it stands for.
DOCUMENTS: dict[str, tuple[str, str]] = {
    "resident": ("resident", " "),
    "hk_mo_tw": ("hk_mo_tw", "J"),
    "foreign_2017": ("foreign_permanent", "I"),
    "foreign_2023": ("foreign_permanent", "Y"),
}


@dataclass(frozen=True)
class SimulatedIdCard:
    """A card the simulator lays on its antenna: the record and the layout it is written in."""

    card: IdCard
    flag: str
    #: The chip's text block as it is, when it is not the block `card` would write: a damaged or
    #: forged card, or a frame found by fuzzing (issue 13), served byte for byte.
    text_block: bytes | None = None


def _day(raw: dict[str, Any], key: str) -> date | None:
    value = raw.get(key)
    return None if value in (None, "") else date.fromisoformat(str(value))


def load_id_card(path: Path) -> SimulatedIdCard:
    """Read one simulated ID card from a JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        card_type, flag = DOCUMENTS[raw.get("document", "resident")]
        card = IdCard(
            card_type,  # type: ignore[arg-type]
            name=raw["name"],
            sex=raw["sex"],
            id_number=raw["id_number"],
            birth_date=_day(raw, "birth_date"),
            nation=raw.get("nation"),
            address=raw.get("address", ""),
            issuer=raw.get("issuer", ""),
            valid_from=_day(raw, "valid_from"),
            valid_until=_day(raw, "valid_until"),
            appended_address=raw.get("appended_address", ""),
            english_name=raw.get("english_name", ""),
            nationality=raw.get("nationality", ""),
            pass_number=raw.get("pass_number", ""),
            issue_count=raw.get("issue_count"),
            photo_wlt=base64.b64decode(raw.get("photo_wlt", "")),
        )
    except (OSError, json.JSONDecodeError) as error:
        raise CardFileError(f"{path}: {error}") from error
    except KeyError as error:
        raise CardFileError(f"{path}: missing or unknown value {error}") from error
    except ValueError as error:
        raise CardFileError(f"{path}: {error}") from error
    return SimulatedIdCard(card, flag)
