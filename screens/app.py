"""The Kivy application: screens following the journey, idle handling, the clock on the wall."""

from __future__ import annotations

import importlib
import io
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import ScreenManager

from kiosk.appliance import Kiosk
from kiosk.blanking import ScreenBlanking
from kiosk.events import (
    KioskEvent,
    Navigated,
    ScreenBlanked,
    ScreenBlankRequested,
    SessionEnded,
    SessionIdleWarning,
    SessionResumed,
    SettingsChanged,
    SyncCompleted,
    SyncFailed,
    TechnicianUpdated,
    UiRestartRequested,
)
from kiosk.fleet.orders import ScreenBusy
from kiosk.journey import Screen
from kiosk.technician.console import Mode
from kiosk.watchdog import Liveness, SystemdNotifier, feed_watchdog
from screens.base import KioskScreen
from screens.blank import BlankScreen
from screens.face import KioskFace
from screens.fonts import register_cjk_font
from screens.i18n import _, tr
from screens.theme import Theme
from screens.transitions import Fade

if TYPE_CHECKING:
    from screens.idle import IdleWarning

log = logging.getLogger(__name__)

KV_DIR = Path(__file__).resolve().parent / "kv"
#: KV files the attract screen needs, loaded at start: widgets first, the screens use them.
START_KV_FILES = ("widgets.kv", "attract.kv")
#: KV files of every other screen, loaded with the first of them a resident opens.
KV_FILES = (
    "browse.kv",
    "handover.kv",
    "printing.kv",
    "idle.kv",
    "identify.kv",
    "services.kv",
    "search.kv",
    "rating.kv",
    "technician.kv",
    "results.kv",
    "entry.kv",
)

#: Each screen's class, as "module:class". The kiosk builds a screen the first time it is shown:
#: at start only the attract screen exists, so the black screen after a (re)start lasts no longer
#: than the toolkit's own start and the memory of screens nobody has opened is never taken.
SCREEN_CLASSES: dict[Screen, str] = {
    Screen.ATTRACT: "screens.attract:AttractScreen",
    Screen.HOME: "screens.browse:HomeScreen",
    Screen.BROWSE_AUDIENCE: "screens.browse:CategoryScreen",
    Screen.DEPARTMENTS: "screens.browse:CategoryScreen",
    Screen.GUIDE_LIST: "screens.browse:GuideListScreen",
    Screen.GUIDE_DETAIL: "screens.browse:GuideDetailScreen",
    Screen.QR: "screens.handover:QrScreen",
    Screen.PRINTING: "screens.printing:PrintingScreen",
    Screen.PRINT_DONE: "screens.printing:PrintDoneScreen",
    Screen.PRINT_FAILED: "screens.printing:PrintFailedScreen",
    Screen.IDENTIFY: "screens.identify:IdentifyScreen",
    Screen.IDENTIFIED: "screens.identify:IdentifiedScreen",
    Screen.SEARCH: "screens.search:SearchScreen",
    Screen.RATING: "screens.rating:RatingScreen",
    Screen.LIFE_EVENTS: "screens.browse:CategoryScreen",
    Screen.PRINT: "screens.printing:PrintScreen",
    Screen.TECHNICIAN_PIN: "screens.technician:TechnicianPinScreen",
    Screen.TECHNICIAN: "screens.technician:TechnicianScreen",
    Screen.SERVICES: "screens.services:ServicesScreen",
    Screen.CONSENT: "screens.services:ConsentScreen",
    Screen.FACE: "screens.services:FaceScreen",
    Screen.SERVICE_WAIT: "screens.services:ServiceWaitScreen",
    Screen.SERVICE_FAILED: "screens.services:ServiceFailedScreen",
    Screen.QUERY: "screens.results:QueryScreen",
    Screen.DOCUMENT: "screens.results:DocumentScreen",
    Screen.CHOOSE: "screens.entry:ChooseScreen",
    Screen.ENTRY: "screens.entry:EntryScreen",
    Screen.CASE: "screens.results:CaseScreen",
    Screen.BOOKED: "screens.results:BookedScreen",
}


def screen_class(screen: Screen) -> type[KioskScreen]:
    """The class of `screen`, its module imported and the KV rules it may use loaded."""
    if screen is not Screen.ATTRACT:
        load_every_screen()
    module, _colon, name = SCREEN_CLASSES[screen].partition(":")
    cls: type[KioskScreen] = getattr(importlib.import_module(module), name)
    return cls


def load_every_screen() -> None:
    """Import every screen module and load every KV file, with the first screen past the attract
    screen: a KV rule may name another screen module's widgets, which must be known to Kivy's
    factory when the rule is applied. Once per process; later calls cost nothing."""
    for module in {path.partition(":")[0] for path in SCREEN_CLASSES.values()}:
        importlib.import_module(module)
    load_kv_files(KV_FILES)


class ScreensOnDemand(ScreenManager):
    """A ScreenManager that builds each screen the first time it is asked for (shown, or looked up)."""

    def get_screen(self, name: str) -> KioskScreen:
        if not self.has_screen(name):
            self.add_widget(screen_class(Screen(name))(name=name))
        screen: KioskScreen = super().get_screen(name)
        return screen


class KioskApp(App):
    """Shows the journey's current screen; knows nothing of SQL or devices.

    It and its screens use the kiosk through `face` (screens.face) only. `kiosk`, the whole of it,
    is kept for the tour and the tests, which play the devices.
    """

    clock_text = StringProperty("")
    site_line = StringProperty("")
    #: "Guides updated ..." when the kiosk syncs; empty on a kiosk that does not.
    freshness_text = StringProperty("")
    #: The last sync failed longer ago than sync.offline_after_hours.
    offline = BooleanProperty(False)
    #: What an offline kiosk tells the resident: how old the guides are, what still works, who helps.
    offline_text = StringProperty("")
    #: The visit's elder mode and voice guidance, for the switches that show their state.
    elder_on = BooleanProperty(False)
    voice_on = BooleanProperty(False)
    #: Voice guidance is offered at all: not without a speaker in service (kiosk.out_of_service).
    voice_offered = BooleanProperty(True)

    def __init__(self, kiosk: Kiosk, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kiosk = kiosk
        #: What the app and its screens see of the kiosk.
        self.face = KioskFace(kiosk)
        self.voice_offered = self.face.journey.voice_offered
        #: On an appliance nobody may close the kiosk: not with a key, not with the window's close.
        self.locked = locked
        self.use_kivy_settings = False
        self.blanking = ScreenBlanking(self.face.settings.display.blank_after_minutes)
        self.blank_screen: BlankScreen | None = None
        self.title = _("Weihai self-service kiosk")
        self.theme = Theme(self.face.settings.display.theme, register_cjk_font())
        self.idle_warning: IdleWarning | None = None
        self.notifier = SystemdNotifier()
        self.liveness = Liveness(max_stall=float("inf"))
        self._unsubscribe: list[Any] = []
        self._timers: list[Any] = []
        #: The fleet asked for a black screen (`blank`): it stays until the fleet's `unblank`.
        self.remote_blank = False

    def build(self) -> ScreenManager:
        load_kv_files(START_KV_FILES)
        tr.lang = self.face.journey.language
        manager = ScreensOnDemand(transition=Fade(duration=0.15))
        manager.get_screen(Screen.ATTRACT.value)
        bus = self.face.bus
        self.face.register_screen_capture(WindowCapture(self))
        self._unsubscribe = [
            bus.subscribe(ScreenBlankRequested, on_ui_thread(self._blank_requested)),
            bus.subscribe(Navigated, on_ui_thread(self._navigated)),
            bus.subscribe(SessionIdleWarning, on_ui_thread(self._idle_warning)),
            bus.subscribe(SessionResumed, on_ui_thread(self._resumed)),
            bus.subscribe(SessionEnded, on_ui_thread(self._resumed)),
            bus.subscribe(SettingsChanged, on_ui_thread(self._settings_changed)),
            bus.subscribe(SyncCompleted, on_ui_thread(lambda _event: self._update_freshness())),
            bus.subscribe(SyncFailed, on_ui_thread(lambda _event: self._update_freshness())),
            bus.subscribe(TechnicianUpdated, on_ui_thread(self._technician_updated)),
            bus.subscribe(UiRestartRequested, on_ui_thread(lambda _event: self.stop())),
        ]
        Window.bind(on_touch_down=self._any_touch)
        Window.bind(on_request_close=self._request_close)
        self.blank_screen = BlankScreen(on_wake=self._woken, stays=lambda: self.remote_blank)
        self._unsubscribe.append(
            bus.subscribe(SessionEnded, on_ui_thread(lambda _event: self.blanking.activity()))
        )
        self._timers = [
            Clock.schedule_interval(lambda _dt: self._blank_when_due(), 5),
            Clock.schedule_interval(lambda _dt: self.face.session.tick(), 0.25),
            Clock.schedule_interval(lambda _dt: self._update_clock(), 1),
            Clock.schedule_interval(lambda _dt: self.face.technician.tick(), 1),
        ]
        self._update_clock()
        self._update_freshness()
        self._watch_liveness()
        return manager

    def on_start(self) -> None:
        # SDL turns SIGTERM into a window-close request, which a locked kiosk refuses: systemd's
        # stop (and a shutdown) would wait for its timeout and then kill -9. SIGTERM is the
        # system's word, not a resident's, so it stops the app cleanly. Installed after the window
        # exists, so this handler replaces SDL's.
        signal.signal(signal.SIGTERM, self._terminate)
        Window.bind(on_flip=self._first_frame_drawn)

    def _first_frame_drawn(self, *_args: Any) -> None:
        """READY=1 when the attract screen's first frame is drawn, not before: a watchdog's restart
        is over when a resident can see the kiosk again."""
        Window.unbind(on_flip=self._first_frame_drawn)
        self.notifier.ready(status=f"kiosk {self.face.settings.kiosk.id} showing the attract screen")

    def _terminate(self, signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping the kiosk UI", signum)
        Clock.schedule_once(lambda _dt: self.stop(), 0)

    def _watch_liveness(self) -> None:
        """Feed systemd's watchdog from this main loop, and only while frames reach the screen."""
        interval = self.notifier.ping_interval
        if interval is None:
            return
        self.liveness = Liveness(max_stall=2 * interval)
        Window.bind(on_flip=self._frame_drawn)

        def beat(_dt: float) -> None:
            Window.canvas.ask_update()  # a frame must follow, or the next beat finds the screen stalled
            feed_watchdog(self.notifier, self.liveness)

        self._timers.append(Clock.schedule_interval(beat, interval))

    def _frame_drawn(self, *_args: Any) -> None:
        self.liveness.frame_drawn()

    def open_settings(self, *_args: Any) -> bool:
        """Kivy's own settings panel (F1) never opens on a kiosk."""
        return False

    def _request_close(self, *_args: Any, **_kwargs: Any) -> bool:
        # True keeps the window open: Alt+F4 or a close button must not leave a locked kiosk.
        return self.locked

    def _blank_when_due(self) -> None:
        if self.blank_screen is not None and self.blanking.due(self.busy()):
            self._go_black()

    def busy(self) -> bool:
        """A resident's session is on, or technician mode is."""
        return self.face.session.active or self.face.technician.mode is not Mode.CLOSED

    def at_rest(self) -> bool:
        """The attract screen shows and nothing else (on the UI thread): not busy, no transition
        running, nothing over it but the black screen. A screenshot is taken only so."""
        manager: ScreenManager | None = self.root
        if manager is None or self.busy():
            return False
        if manager.current != Screen.ATTRACT.value or manager.transition.is_active:
            return False
        return all(child is manager or child is self.blank_screen for child in Window.children)

    def _go_black(self) -> None:
        """Cover the screen in black (the quiet time's or the fleet's), and say so on the bus."""
        if self.blank_screen is None:
            return
        self.blanking.blank = True
        if self.blank_screen.parent is None:
            self.blank_screen.open(animation=False)
            self.face.bus.publish(ScreenBlanked(True))

    def _woken(self) -> None:
        """A touch woke the screen (never one under the fleet's blank: BlankScreen keeps that)."""
        self.blanking.wake()
        self.face.bus.publish(ScreenBlanked(False))

    def _blank_requested(self, event: ScreenBlankRequested) -> None:
        self.remote_blank = event.blank
        if event.blank:
            self._go_black()
        elif self.blank_screen is not None and self.blank_screen.parent is not None:
            self.blank_screen.dismiss(animation=False)
            self._woken()

    def on_stop(self) -> None:
        self.notifier.stopping()
        if self.root is not None and self.root.current_screen is not None:
            # The screen showing is left as any other time: its timers cancelled, what it held let go.
            self.root.current_screen.dispatch("on_leave")
        self.face.register_screen_capture(None)
        Window.unbind(on_request_close=self._request_close)
        Window.unbind(on_flip=self._frame_drawn)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for timer in self._timers:
            timer.cancel()
        Window.unbind(on_touch_down=self._any_touch)

    def switch_language(self) -> None:
        """Toggle the UI chrome between Chinese and English for this session."""
        language = "en" if tr.lang == "zh_CN" else "zh_CN"
        self.face.journey.set_language(language)

    def toggle_elder(self) -> None:
        """Switch elder mode (large text and targets) on or off for this session."""
        journey = self.face.journey
        journey.set_elder(not journey.elder)

    def toggle_voice(self) -> None:
        """Switch voice guidance on or off for this session."""
        journey = self.face.journey
        journey.set_voice(not journey.voice)

    def _apply_theme(self) -> None:
        """Elder mode when the resident (or the site) asks for it, else the site's own theme."""
        site = self.face.settings.display.theme
        variant = "elder" if self.face.journey.elder else ("standard" if site == "elder" else site)
        if self.theme.variant != variant:
            self.theme.apply(variant)

    def _any_touch(self, _window: Any, _touch: Any) -> bool:
        # Every touch counts as activity, whatever widget takes it.
        self.face.session.touch()
        self.face.technician.touch()
        self.blanking.activity()
        return False

    def _navigated(self, event: Navigated) -> None:
        screen, view = event.screen, event.view
        journey = self.face.journey
        language_changed = tr.lang != journey.language
        tr.lang = journey.language
        self._apply_theme()
        self.elder_on, self.voice_on = journey.elder, journey.voice
        if language_changed and self.offline:
            self._update_freshness()  # the offline sentence follows the resident's language
        manager: ScreenManager = self.root
        target: KioskScreen = manager.get_screen(screen.value)
        target.show(view)
        if manager.current != screen.value:
            manager.current = screen.value
        log.debug("screen %s", screen.value)

    def _technician_updated(self, _event: TechnicianUpdated) -> None:
        current = self.root.current_screen
        if current.name in (Screen.TECHNICIAN_PIN.value, Screen.TECHNICIAN.value):
            current.refresh()

    def _idle_warning(self, _event: SessionIdleWarning) -> None:
        if self.idle_warning is None:  # made the first time a session goes quiet
            load_every_screen()
            from screens.idle import IdleWarning

            self.idle_warning = IdleWarning()
        self.idle_warning.open(animation=False)

    def _resumed(self, _event: SessionResumed | SessionEnded) -> None:
        if self.idle_warning is not None and self.idle_warning.parent is not None:
            self.idle_warning.dismiss(animation=False)

    def _settings_changed(self, _event: SettingsChanged) -> None:
        self._apply_theme()
        self._update_clock()

    def _update_freshness(self) -> None:
        settings = self.face.settings
        if not settings.sync.repo_url:
            self.freshness_text, self.offline, self.offline_text = "", False, ""
            return
        status = self.face.sync_status()
        updated = ""
        if status.last_success:
            updated = f"{datetime.fromisoformat(status.last_success).astimezone():%Y-%m-%d %H:%M}"
            self.freshness_text = _("Guides updated {date}").format(date=updated)
        else:
            self.freshness_text = _("Guides not updated yet")
        hours = status.offline_for(datetime.now(UTC))
        self.offline = hours is not None and hours >= settings.sync.offline_after_hours
        self.offline_text = offline_sentence(updated, settings.kiosk.help_desk) if self.offline else ""

    def _update_clock(self) -> None:
        now = datetime.now()
        weekday = _("Monday Tuesday Wednesday Thursday Friday Saturday Sunday").split()[now.weekday()]
        self.clock_text = f"{now:%Y-%m-%d}  {weekday}  {now:%H:%M}"
        kiosk = self.face.settings.kiosk
        self.site_line = f"{kiosk.site_name} · {kiosk.id}"


def offline_sentence(updated: str, help_desk: str) -> str:
    """What an offline kiosk tells the resident: the guides' date, the QR code, the help desk."""
    if updated:
        first = _("There is no network connection right now: the guides shown were updated on {date}.")
    else:
        first = _("There is no network connection right now: the guides shown are those saved on this kiosk.")
    rest = _("QR codes still work with your phone's own connection. For help, ask at {help_desk}.")
    return f"{first.format(date=updated)} {rest.format(help_desk=help_desk)}"


def load_kv_files(names: tuple[str, ...]) -> None:
    """Load KV rules once per process (loading twice would apply every rule twice), after the
    widgets they name are known to Kivy's factory."""
    importlib.import_module("screens.widgets")
    for name in (*START_KV_FILES, *names):
        path = str(KV_DIR / name)
        if path not in Builder.files:
            Builder.load_file(path)


class WindowCapture:
    """The fleet's `screenshot` (kiosk.fleet.orders.ScreenCapture): the window's pixels, never written
    to a file.

    The UI thread decides whether a picture may be taken, from what it shows, not from the session's
    flag (which goes False before the screens have changed): only the attract screen at rest (the
    app's `at_rest`: no session, technician mode closed, no transition, nothing over it but the
    black screen), and only from a frame drawn in that state; the pixels are read as that frame
    is drawn, before it is shown. The PNG is encoded on the asking thread, not on the UI's.
    """

    def __init__(self, app: KioskApp) -> None:
        self._app = app

    def capture_png(self, timeout: float) -> bytes:
        """Asked from the channel's worker thread: wait up to `timeout` for the UI thread's pixels.

        ScreenBusy when a resident's session or technician mode is on; while the screen is on its
        way to the attract screen (a session just ended), it waits for it to come to rest."""
        done = threading.Event()
        taken: dict[str, Any] = {}
        app = self._app

        def finish(**what: Any) -> None:
            Window.unbind(on_flip=drawn)
            taken.update(what)
            done.set()

        def drawn(*_args: Any) -> None:
            # On the UI thread, after a frame was drawn and before it is shown: the state now is the
            # state it was drawn in.
            if done.is_set():
                Window.unbind(on_flip=drawn)
            elif app.busy():
                finish(error=ScreenBusy("a resident's session or technician mode is on"))
            elif app.at_rest():
                try:
                    finish(pixels=read_window())
                except Exception as error:
                    finish(error=error)
            else:
                Window.canvas.ask_update()  # not there yet: look again at the next frame

        def start(_dt: float) -> None:
            if done.is_set():  # the asker gave up already
                return
            if app.busy():
                taken["error"] = ScreenBusy("a resident's session or technician mode is on")
                done.set()
                return
            Window.bind(on_flip=drawn)
            Window.canvas.ask_update()  # a frame is drawn even when nothing moves

        Clock.schedule_once(start, 0)
        if not done.wait(timeout):
            done.set()  # the UI thread drops its part at its next frame
            raise TimeoutError(f"the UI thread took no picture in {timeout:.0f} s")
        if "error" in taken:
            raise taken["error"]
        size, pixels = taken["pixels"]
        return encode_png(size, pixels)


def read_window() -> tuple[tuple[int, int], bytes]:
    """The window's pixels now, bottom row first (on the UI thread: it reads the GL frame buffer)."""
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    width, height = (int(value) for value in Window.size)
    return (width, height), bytes(glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE))


def encode_png(size: tuple[int, int], pixels: bytes) -> bytes:
    """RGB pixels, bottom row first, as PNG bytes in memory (any thread: no GL)."""
    from PIL import Image

    picture = Image.frombytes("RGB", size, pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


E = TypeVar("E", bound=KioskEvent)


def on_ui_thread(handler: Callable[[E], None]) -> Callable[[E], None]:
    """Wrap a bus handler so that it runs on the Kivy thread, whichever thread published."""

    def deliver(event: E) -> None:
        Clock.schedule_once(lambda _dt: handler(event), 0)

    return deliver
