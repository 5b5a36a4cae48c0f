"""Voice guidance: what the kiosk reads aloud on each screen, while the resident has voice on.

The narrator listens to the journey (Navigated) and the session (idle warning, end) and
tells the speaker what to say. It reads what a screen is and what to do there, a guide's name and
plain-language summary, and how a print went; never anything from a card: the identified screen
says that the card was read, not whose it is.

When a screen is announced again without moving (Journey.set_language, set_elder, "show more"),
it is read again only if what it would say changed: a language switch reads the screen in the new
language, elder mode or another page of a list says nothing new and stays quiet. Switching voice
on reads the screen showing, so the switch is heard; switching it off stops speech at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.bus import EventBus
from kiosk.departments import short_department
from kiosk.desk.pages import (
    NOT_PRINTED_WORDS,
    PRINTED_WORDS,
    PRINTING_WORDS,
    CasePage,
    ChoicePage,
    DeskPage,
    DocumentPage,
    FailurePage,
    Paper,
    TablePage,
    WaitPage,
)
from kiosk.events import Navigated, SessionEnded, SessionIdleWarning, SessionResumed
from kiosk.i18n import N_, translate
from kiosk.journey import BOTH_READERS_OUT, READER_OUT, Journey, Screen, View
from kiosk.ports import Speaker
from kiosk.rating_flow import RatingFlow

#: Guides are published in Chinese: their words are read with the Mandarin voice in any UI language.
GUIDE_LANGUAGE = "zh_CN"

#: What each screen says when it appears: its title and one instruction (message ids; "" for none).
#: A title taken from the content (an audience, a department, a guide) comes from the view instead.
#: Screens that say nothing: the attract screen (nobody is there to hear it) and the technician's
#: screens (not for residents; a technician reads them).
SILENT_SCREENS = frozenset({Screen.ATTRACT, Screen.TECHNICIAN_PIN, Screen.TECHNICIAN})
SCREEN_WORDS: dict[Screen, tuple[str, str]] = {
    Screen.HOME: (
        N_("Government services near you"),
        N_("Choose a department or a life event, search for a service, or identify with your card."),
    ),
    Screen.BROWSE_AUDIENCE: ("", N_("Choose a life event or a department.")),
    Screen.DEPARTMENTS: (N_("All departments"), N_("Choose a department.")),
    Screen.LIFE_EVENTS: (
        N_("Life events: everything for one occasion"),
        N_("Choose a life event to see every service it needs."),
    ),
    Screen.PRINT: (
        N_("Print"),
        N_("Print the checklist of the guide you read, or find another guide to print."),
    ),
    Screen.GUIDE_LIST: ("", N_("Touch a service to read its guide.")),
    Screen.GUIDE_DETAIL: (
        "",
        N_("You can print the checklist of materials, or take the guide to your phone with a QR code."),
    ),
    Screen.QR: (
        N_("Take it to my phone (QR code)"),
        N_("Scan with your phone's camera to read this guide and apply online"),
    ),
    Screen.PRINTING: (
        N_("Printing the checklist of materials…"),
        N_("Please wait; the paper comes out below the screen."),
    ),
    Screen.PRINT_DONE: (N_("Printed. Please take your checklist from the tray."), ""),
    Screen.PRINT_FAILED: (
        N_("Printing did not work"),
        N_("Nothing is lost: scan this code to take the same list to your phone."),
    ),
    Screen.IDENTIFY: (
        N_("Identify with your card"),
        N_("Place your ID card on the reader, or insert your social security card chip first."),
    ),
    Screen.IDENTIFIED: (
        N_("Your card has been read."),
        N_("You can now use these services here. Take your card away to clear your details."),
    ),
    Screen.SEARCH: (N_("Search"), N_("Search services: type pinyin initials or characters")),
    Screen.RATING: (N_("Rate our service"), N_("How satisfied are you with the service today?")),
    Screen.SERVICES: (N_("Online services"), N_("Touch the service you want to do.")),
    Screen.CONSENT: (
        N_("Before anything is sent"),
        N_("Read what will be sent, then touch Agree, or No thanks."),
    ),
    Screen.FACE: (
        N_("A picture of your face"),
        N_("Look at the camera above the screen, then touch Take picture."),
    ),
    Screen.SERVICE_WAIT: ("", ""),
    Screen.SERVICE_FAILED: (N_("This did not work"), ""),
    Screen.QUERY: ("", N_("Your results are on the screen.")),
    Screen.DOCUMENT: (N_("Your document is ready"), N_("Touch Print to print it.")),
    Screen.CHOOSE: ("", ""),
    Screen.ENTRY: (N_("Type the numbers on your receipt"), N_("Then touch Look up.")),
    Screen.CASE: (N_("Case progress"), ""),
    Screen.BOOKED: (N_("Your appointment is booked"), N_("Print the slip, and bring your ID card.")),
}

#: The online services' screens: their page adds what the service says (kiosk.desk).
DESK_SCREENS = frozenset(
    {
        Screen.SERVICES,
        Screen.CONSENT,
        Screen.FACE,
        Screen.SERVICE_WAIT,
        Screen.SERVICE_FAILED,
        Screen.QUERY,
        Screen.DOCUMENT,
        Screen.CHOOSE,
        Screen.ENTRY,
        Screen.CASE,
        Screen.BOOKED,
    }
)
AUDIENCE_WORDS = {"individual": N_("Services for individuals"), "enterprise": N_("Services for businesses")}
#: With one reader out of service, how to use the other.
USE_THE_OTHER_CARD = {
    "id_reader": N_("Insert your social security card into the slot, chip first and facing up."),
    "sscard_reader": N_("Place your ID card flat on the reader and keep it still."),
}
VOICE_ON = N_("Voice guidance is on.")
IDLE_WORDS = (
    N_("Are you still there?"),
    N_("This visit ends in {seconds} seconds and your information will be cleared."),
    N_("Touch the screen if you need more time."),
)

_ENDINGS = tuple(".!?:;…。！？：；")


@dataclass(frozen=True)
class Line:
    """Sentences said in one voice."""

    language: str
    text: str


Utterance = tuple[Line, ...]


def screen_utterance(view: View, language: str, help_desk: str = "") -> Utterance:
    """What `view` says aloud in `language`: the kiosk's words translated, a guide's in Chinese.

    `help_desk` (kiosk.help_desk) is named where the screen sends the resident to a person.
    """
    title, instruction = SCREEN_WORDS.get(view.screen, ("", ""))
    if view.paper is not Paper.CHECKLIST:
        # A paper of the online services: what it is, and no QR code of a guide when it failed.
        title = {Screen.PRINTING: PRINTING_WORDS, Screen.PRINT_DONE: PRINTED_WORDS}.get(view.screen, {}).get(
            view.paper, title
        )
        if view.screen is Screen.PRINT_FAILED:
            instruction = NOT_PRINTED_WORDS[view.paper]

    def ui(message: str, **fields: Any) -> tuple[str, str]:
        return language, translate(message, language).format(**fields)

    parts: list[tuple[str, str]] = []
    screen = view.screen
    whole = _whole_utterance(view, ui, help_desk, title, instruction)
    if whole is not None:
        return whole
    if screen is Screen.BROWSE_AUDIENCE and view.audience:
        parts.append(ui(AUDIENCE_WORDS[view.audience]))
    elif screen is Screen.GUIDE_LIST:
        parts.append((GUIDE_LANGUAGE, short_department(view.title)))
        parts.append(ui(N_("Services: {count}"), count=view.total or len(view.guides)))
    elif screen is Screen.GUIDE_DETAIL and view.guide is not None:
        parts.extend((GUIDE_LANGUAGE, text) for text in (view.guide.name, view.guide.plain) if text)
    elif screen is Screen.RATING and view.rating is not None:
        outcome = _rating_outcome(view.rating)
        if outcome:
            return _utterance([ui(outcome)])
    if title:
        parts.append(ui(title))
    if screen is Screen.PRINT_FAILED and view.print_outcome is not None:
        parts.append(ui(view.print_outcome.resident_message))
    if instruction:
        parts.append(ui(instruction))
    if screen is Screen.PRINT_FAILED:
        parts.append(ui(N_("Or ask at a service counter.")))
    return _utterance(parts)


def _whole_utterance(
    view: View, ui: Callable[..., tuple[str, str]], help_desk: str, title: str, instruction: str
) -> Utterance | None:
    """What the screens that say something of their own say (None for the others)."""
    screen = view.screen
    if screen is Screen.ATTRACT:
        return ()
    if screen is Screen.IDENTIFY:
        return _identify(view, ui, help_desk)
    if screen is Screen.HOME and view.no_guides:
        # No guides to choose from: never "choose a department", but where to ask instead.
        return _utterance([ui(title), ui(view.no_guides, help_desk=help_desk)])
    if view.desk is not None and screen in DESK_SCREENS:
        if isinstance(view.desk, FailurePage) and view.desk.done:
            title = N_("Done")
        words = [ui(title)] if title else []
        words.extend(_desk_words(view.desk, ui, help_desk))
        return _utterance([*words, *([ui(instruction)] if instruction else [])])
    return None


def _desk_words(page: DeskPage, ui: Callable[..., tuple[str, str]], help_desk: str) -> list[tuple[str, str]]:
    """What an online service's page adds: the service, the question, what happened."""
    service = getattr(page, "service", None)
    parts = []
    if isinstance(page, TablePage | DocumentPage) and service is not None:
        parts.append((GUIDE_LANGUAGE, service.name))
    if isinstance(page, WaitPage):
        parts.append(ui(page.message))
    elif isinstance(page, FailurePage):
        # The platform's own words are Chinese, and said as such.
        parts.append(
            (GUIDE_LANGUAGE, page.message) if page.as_given else ui(page.message, help_desk=help_desk)
        )
    elif isinstance(page, ChoicePage):
        parts.append(ui(page.prompt) if page.choices else ui(page.empty))
    elif isinstance(page, CasePage):
        parts.extend([(GUIDE_LANGUAGE, page.case.service_name), (GUIDE_LANGUAGE, page.case.status)])
    return parts


def idle_utterance(remaining: float, language: str) -> Utterance:
    """The idle warning aloud: the visit ends in `remaining` seconds unless the resident acts."""
    return _utterance(
        (language, translate(message, language).format(seconds=round(remaining))) for message in IDLE_WORDS
    )


def _identify(view: View, ui: Callable[..., tuple[str, str]], help_desk: str) -> Utterance:
    state = view.identify
    if state.reading:
        return _utterance([ui(N_("Reading your card… please keep it still."))])
    title, instruction = SCREEN_WORDS[Screen.IDENTIFY]
    parts = [ui(state.message)] if state.message else [ui(title)]
    out = state.readers_out
    # Never told to use a reader that cannot read: the other card's instruction, or none at all.
    if not out:
        parts.append(ui(instruction))
    elif len(out) == 1:
        [device] = out
        parts.append(ui(READER_OUT[device]))
        parts.append(ui(USE_THE_OTHER_CARD[device]))
    else:
        parts.append(ui(BOTH_READERS_OUT, help_desk=help_desk))
    return _utterance(parts)


def _rating_outcome(flow: RatingFlow) -> str:
    """What the rating screen says after a submit (thanks, or what to fix); "" before."""
    if flow.submitted is not None:
        return N_("Thank you for your rating.")
    if flow.already_rated:
        return N_("You have already rated this visit. Thank you!")
    return flow.message


def _utterance(parts: Iterable[tuple[str, str]]) -> Utterance:
    """Sentences in order, those in the same voice one after the other joined into one line."""
    lines: list[Line] = []
    for language, words in parts:
        text = words.strip()
        if not text:
            continue
        if not text.endswith(_ENDINGS):
            text += "。" if language == GUIDE_LANGUAGE else "."
        if lines and lines[-1].language == language:
            joiner = "" if language == GUIDE_LANGUAGE else " "
            lines[-1] = Line(language, lines[-1].text + joiner + text)
        else:
            lines.append(Line(language, text))
    return tuple(lines)


class Narrator:
    """Reads the screens aloud while the resident has voice guidance on (Journey.voice)."""

    def __init__(self, bus: EventBus, journey: Journey, speaker: Speaker) -> None:
        self._bus = bus
        self._journey = journey
        self._speaker = speaker
        self._lock = threading.RLock()
        self._unsubscribe: list[Callable[[], None]] = []
        #: Voice as of the last announcement; None at the start of a visit (no switch to announce).
        self._voice: bool | None = None
        #: What the current screen said, and what was said last (what "repeat" says again).
        self._screen: Utterance = ()
        self._last: Utterance = ()

    @property
    def last(self) -> Utterance:
        """What was said last (what `repeat` says again); empty when nothing was."""
        return self._last

    def start(self) -> None:
        """Follow the journey and the session."""
        if self._unsubscribe:
            return
        bus = self._bus
        self._unsubscribe = [
            bus.subscribe(Navigated, self._on_navigated),
            bus.subscribe(SessionIdleWarning, self._on_idle_warning),
            bus.subscribe(SessionResumed, self._on_resumed),
            bus.subscribe(SessionEnded, self._on_session_ended),
        ]

    def stop(self) -> None:
        """Stop following the journey and stop talking."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        with self._lock:
            self._speaker.stop()
            self._forget()

    def repeat(self) -> None:
        """Say the last utterance again (the resident's "repeat" button); nothing when voice is off."""
        with self._lock:
            if self._journey.voice and self._last:
                self._say(self._last)

    # -- events ---------------------------------------------------------------------------------

    def _on_navigated(self, event: Navigated) -> None:
        screen, view = event.screen, event.view
        with self._lock:
            if screen is Screen.ATTRACT:
                # Nobody is there (or the visit just ended): silence, and the next visit starts afresh.
                self._speaker.stop()
                self._forget()
                return
            voice, was_on = self._journey.voice, self._voice
            self._voice = voice
            if not voice:
                if was_on:
                    self._speaker.stop()
                return
            switched_on = was_on is False
            utterance = screen_utterance(view, self._journey.language, self._journey.help_desk)
            if utterance == self._screen and not switched_on:
                return
            self._screen = self._last = utterance
            if switched_on:
                language = self._journey.language
                said = [(language, translate(VOICE_ON, language))]
                utterance = _utterance(said + [(line.language, line.text) for line in utterance])
            self._say(utterance)

    def _on_idle_warning(self, event: SessionIdleWarning) -> None:
        with self._lock:
            if self._journey.voice:
                self._last = idle_utterance(event.remaining, self._journey.language)
                self._say(self._last)

    def _on_resumed(self, _event: SessionResumed) -> None:
        # The resident is back: the warning stops mid-sentence, "repeat" reads the screen again.
        with self._lock:
            if self._last != self._screen:
                self._speaker.stop()
                self._last = self._screen

    def _on_session_ended(self, _event: SessionEnded) -> None:
        with self._lock:
            self._speaker.stop()
            self._forget()

    def _forget(self) -> None:
        self._voice = None
        self._screen = self._last = ()

    def _say(self, utterance: Utterance) -> None:
        for index, line in enumerate(utterance):
            self._speaker.say(line.text, line.language, interrupt=index == 0)
