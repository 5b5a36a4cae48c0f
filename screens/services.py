"""The online services through the provincial platform: the list, consent, the face, waiting, failing.

The screens draw the desk's pages (kiosk.desk.pages) held in `View.desk` and hand every touch to the
desk (`face().desk`, `app.face.desk` in KV); they never call the platform and never write a file.
"""

from __future__ import annotations

import math
from io import BytesIO
from typing import Any

from kivy.animation import Animation
from kivy.core.image import Image as CoreImage
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import get_color_from_hex

from kiosk.desk.pages import ConsentPage, FacePage, FailurePage, ServiceListPage, ServiceTile, WaitPage
from kiosk.i18n import N_
from kiosk.journey import View
from kiosk.platform.records import Service
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _, tr

#: What each kind of service does, in a word on its tile's badge.
KIND_LABELS = {
    "query": N_("Look up"),
    "document": N_("Print a document"),
    "booking": N_("Appointment"),
    "case": N_("Case progress"),
}
#: One colour per kind of service, on the tile's band and badge; white text on each has at least
#: 7:1 contrast, so the badge reads in every theme (the high-contrast one asks 7:1).
KIND_COLOURS = {"query": "#1E3A8A", "document": "#0E5A2E", "booking": "#7A3E00", "case": "#5B1A91"}
#: What a tile says when the service needs nothing of the resident (`ServiceTile.needs` is "").
NEEDS_NOTHING = N_("No card needed")


def service_name(service: Service) -> str:
    """The service's name as the platform gives it, in English in the English UI when it has one."""
    return service.name_en if tr.lang == "en" and service.name_en else service.name


class ServiceTileButton(ButtonBehavior, BoxLayout):
    """One service on a list: its kind (a coloured band and a word), its name, what it needs."""

    service_id = StringProperty("")
    name = StringProperty("")
    needs = StringProperty("")
    kind_label = StringProperty("")
    kind_colour = ColorProperty("#1E3A8A")


def service_tile(tile: ServiceTile) -> ServiceTileButton:
    """The tile of one service, in the current language."""
    service = tile.service
    return ServiceTileButton(
        service_id=service.id,
        name=service_name(service),
        needs=_(tile.needs or NEEDS_NOTHING),
        kind_label=_(KIND_LABELS[service.kind]) if service.kind in KIND_LABELS else "",
        kind_colour=get_color_from_hex(KIND_COLOURS.get(service.kind, "#1E3A8A")),
    )


class ServiceTiles(BoxLayout):
    """The services of a `ServiceListPage` as large tiles, a page at a time, with 上一页 / 下一页.

    As many tiles as fit the space at `tile_width` x `tile_height` at least (services.kv, from the
    theme) make a page, so a tile is never cut at the fold; the line under them says which page
    shows and how many services there are in all.
    """

    tile_width = NumericProperty(400)
    tile_height = NumericProperty(200)
    #: The index of the first tile on the page showing.
    first = NumericProperty(0)
    per_page = NumericProperty(1)
    #: "第 1/2 页 · 共 11 项" or, on one page, "共 11 项".
    position = StringProperty("")
    has_previous = BooleanProperty(False)
    has_next = BooleanProperty(False)
    #: Too narrow for the page line between the buttons (portrait): it goes above them.
    narrow = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tiles: tuple[ServiceTile, ...] = ()

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.tiles.bind(size=self._fit)
        self.bind(tile_width=self._fit, tile_height=self._fit)

    def fill(self, tiles: tuple[ServiceTile, ...]) -> None:
        """Show `tiles` (a touch on one goes to the desk, services.kv). The page showing stays
        when the same services come again (a switch of language or of elder mode)."""
        same = [tile.service.id for tile in tiles] == [tile.service.id for tile in self._tiles]
        self._tiles = tiles
        if not same:
            self.first = 0
        self._fit()

    def next_page(self) -> None:
        """Show the next page of tiles."""
        if self.has_next:
            self.first += self.per_page
            self._show_page()

    def previous_page(self) -> None:
        """Show the page before."""
        if self.has_previous:
            self.first = max(0, self.first - self.per_page)
            self._show_page()

    def tile(self, service_id: str) -> ServiceTileButton:
        """The tile of `service_id`, on the page now showing (turned to it if need be)."""
        index = next(i for i, tile in enumerate(self._tiles) if tile.service.id == service_id)
        if not self.first <= index < self.first + self.per_page:
            self.first = index - index % self.per_page
            self._show_page()
        found: ServiceTileButton = next(
            widget for widget in self.ids.tiles.children if widget.service_id == service_id
        )
        return found

    def _fit(self, *_args: Any) -> None:
        """How many columns and rows fit the space, and how high a row is to fill it."""
        grid = self.ids.tiles
        spacing = grid.spacing[0]
        columns = max(1, int((grid.width + spacing) // (self.tile_width + spacing)))
        rows = max(1, int((grid.height + spacing) // (self.tile_height + spacing)))
        grid.cols = columns
        if len(self._tiles) <= columns * rows:
            # All on one page: the rows it needs share the space, tiles up to half as high again.
            needed = max(1, math.ceil(len(self._tiles) / columns))
            height = min(self.tile_height * 1.5, (grid.height - spacing * (needed - 1)) / needed)
        else:
            # Page after page: the rows of every page as high, filling the space.
            height = (grid.height - spacing * (rows - 1)) / rows
        grid.row_default_height = max(self.tile_height, height)
        if columns * rows != self.per_page:
            self.per_page = columns * rows
            self.first -= self.first % self.per_page
        self._show_page()

    def _show_page(self) -> None:
        grid = self.ids.tiles
        grid.clear_widgets()
        shown = self._tiles[self.first : self.first + self.per_page]
        for tile in shown:
            grid.add_widget(service_tile(tile))
        total = len(self._tiles)
        pages = max(1, math.ceil(total / self.per_page))
        self.has_previous = self.first > 0
        self.has_next = self.first + self.per_page < total
        count = _("{count} services in all").format(count=total) if total else ""
        if pages > 1:
            page = _("Page {page} of {pages}").format(page=self.first // self.per_page + 1, pages=pages)
            self.position = f"{page} · {count}"
        else:
            self.position = count


class ServicesScreen(KioskScreen):
    """The online services this kiosk offers now, in the platform's order (SERVICES)."""

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, ServiceListPage):
            return
        help_desk = face().journey.help_desk
        self.ids.problem.text = _(page.problem).format(help_desk=help_desk) if page.problem else ""
        self.ids.service_tiles.fill(page.tiles)


class ConsentScreen(KioskScreen):
    """What the kiosk will send, to whom, and that nothing stays here, before anything is sent."""

    portrait = BooleanProperty(False)
    #: A live picture of the face is part of what is sent.
    face_picture = BooleanProperty(False)

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, ConsentPage):
            return
        self.face_picture = page.face
        self.ids.service.text = service_name(page.service)
        sends = self.ids.sends
        sends.clear_widgets()
        for line in page.sends:
            item = Factory.ConsentItem()  # a KV class: its `text` exists only once it is built
            item.text = _(line)
            sends.add_widget(item)


class FaceScreen(KioskScreen):
    """A live picture of the face for the platform to compare: take it, look at it, use it."""

    taking = BooleanProperty(False)
    #: A picture was taken and shows for the resident to accept or take again.
    taken = BooleanProperty(False)

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, FacePage):
            return
        self.ids.service.text = service_name(page.service)
        self.ids.message.text = (
            _(page.message).format(help_desk=face().journey.help_desk) if page.message else ""
        )
        self.taking = page.taking
        picture = self.ids.picture
        # In memory only: the JPEG is decoded from its bytes, never written to a file.
        picture.texture = (
            CoreImage(BytesIO(page.picture), ext="jpg", nocache=True).texture if page.picture else None
        )
        self.taken = page.picture is not None and not page.taking
        spin(self.ids.spinner, page.taking)

    def on_pre_leave(self, *args: object) -> None:
        # The picture is the resident's: gone from the screen as soon as the screen is left (the
        # end of a fade may never come when the next screen follows at once).
        self.ids.picture.texture = None
        self.taken = False
        spin(self.ids.spinner, False)


class ServiceWaitScreen(KioskScreen):
    """A step at the platform in progress: what is happening, and the most it can take."""

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, WaitPage):
            return
        self.ids.message.text = _(page.message)
        self.ids.seconds.text = _("This takes at most {seconds} seconds.").format(
            seconds=math.ceil(page.seconds)
        )
        self.ids.service.text = service_name(page.service) if page.service else ""
        spin(self.ids.spinner, True)

    def on_leave(self, *args: object) -> None:
        spin(self.ids.spinner, False)


class ServiceFailedScreen(KioskScreen):
    """A step that did not work: what happened, in the platform's words when they are its own."""

    retry = BooleanProperty(False)
    #: The step worked after all (a cancellation): a tick instead of the warning, no help line.
    done = BooleanProperty(False)

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, FailurePage):
            return
        self.done = page.done
        # A refusal is the platform's own sentence (in Chinese): shown as written, never translated.
        help_desk = face().journey.help_desk
        self.ids.message.text = page.message if page.as_given else _(page.message).format(help_desk=help_desk)
        self.ids.service.text = service_name(page.service) if page.service else ""
        # Said once: a sentence of the kiosk's that names the help desk already needs no second one.
        named = not page.as_given and "{help_desk}" in page.message
        self.ids.help.text = (
            "" if named or page.done else _("For help here, ask at {help_desk}.").format(help_desk=help_desk)
        )
        self.retry = page.retry


def spin(spinner: Any, on: bool) -> None:
    """Turn the spinner (printing.kv's PrintSpinner) while `on`, else stop it."""
    Animation.cancel_all(spinner)
    spinner.angle = 0
    if on:
        turning = Animation(angle=-360, duration=1.2)
        turning.repeat = True
        turning.start(spinner)
