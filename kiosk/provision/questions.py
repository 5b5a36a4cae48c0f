"""What a provisioning step asks and how it is answered, for any front end (the terminal, the screen)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

#: An answer as a front end hands it over: typed text, a chosen value, yes or no.
Answer = str | bool


class Kind(StrEnum):
    """How a question is answered."""

    TEXT = "text"  # free text, checked as it is typed
    CONFIRM = "confirm"  # yes or no
    CHOICE = "choice"  # one of `options` by number, or a value typed in (`free_text` says what)
    ONE_OF = "one_of"  # exactly one of the `options`' values, nothing else
    PATH = "path"  # a file on this machine
    NEW_PIN = "new_pin"  # a secret: never shown, typed twice


@dataclass(frozen=True)
class Question:
    """One question of a step: its text, the answer offered, and the choices (value, label).

    A TEXT question's default is the value as the site file has it (a front end hands it back as is).
    """

    kind: Kind
    text: str
    default: Answer | None = None
    options: tuple[tuple[str, str], ...] = ()
    free_text: str = ""


@dataclass(frozen=True)
class Reply:
    """What a step's handler made of an answer: an error (the question stands) or where to go next."""

    error: str = ""
    goto: str = ""  # the next step's id; "" for the step after this one


class BadAnswer(Exception):
    """An answer the flow cannot take and cannot ask again (a flag, or a device refused): exit 2."""


class NotSaved(Exception):
    """Provisioning stopped before anything was written (or a device could not be set up): exit 1."""
