"""What an online service gives the resident: a table (QUERY), a document (DOCUMENT), a case's
progress (CASE) and a booked appointment (BOOKED). The desk's pages (kiosk.desk.pages) say what;
these screens only lay it out. Touches go to the desk from the KV rules (results.kv).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.desk.pages import BookedPage, CasePage, DocumentPage, TablePage
from kiosk.journey import View
from kiosk.platform.records import Service, Stage
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _, tr
from screens.widgets import KLabel

#: A cell that reads as a number: an amount (¥1,234.50, 1234.50 元), a count, a month's figure.
NUMBER = re.compile(r"^[-+]?[¥￥]?\s?[-+]?\d[\d,]*(\.\d+)?\s?(\u5143|%)?$")  # \u5143: yuan


def service_title(service: Service) -> str:
    """A service's name in the resident's language (the platform gives both)."""
    return service.name if tr.lang == "zh_CN" or not service.name_en else service.name_en


def numeric_columns(rows: Sequence[Sequence[str]], count: int) -> list[bool]:
    """Which columns hold only numbers (right-aligned, so that the digits line up)."""
    return [
        any(row[i].strip() for row in rows if i < len(row))
        and all(NUMBER.match(row[i].strip()) for row in rows if i < len(row) and row[i].strip())
        for i in range(count)
    ]


def column_widths(heading_widths: Sequence[float], cell_widths: Sequence[float], room: float) -> list[float]:
    """Each column's width, from how wide its text is on one line (headings and cells apart).

    When everything fits on one line, the columns share the room in proportion. When it does not,
    the narrow columns (a month, an amount: words that must not break) keep their cells whole and
    the wide ones (a name, an employer) share what is left and wrap; a heading may wrap anywhere.
    """
    natural = [max(head, cell) for head, cell in zip(heading_widths, cell_widths, strict=True)]
    if not natural:
        return []
    if sum(natural) <= room:
        return [room * width / sum(natural) for width in natural]
    narrow = [cell <= room / (len(natural) + 1) for cell in cell_widths]
    kept = sum(cell for cell, fixed in zip(cell_widths, narrow, strict=True) if fixed)
    left = room - kept
    wide = sum(width for width, fixed in zip(natural, narrow, strict=True) if not fixed)
    if wide <= 0 or left < room * 0.25:  # too many narrow columns: everyone wraps a little
        return [room * cell / (sum(cell_widths) or 1) for cell in cell_widths]
    return [
        cell if fixed else left * width / wide
        for cell, width, fixed in zip(cell_widths, natural, narrow, strict=True)
    ]


def paginate(heights: Sequence[float], room: float) -> list[tuple[int, int]]:
    """Rows (by their heights) cut into pages of at most `room` each: (first, end) of every page.

    A row taller than a whole page still gets a page of its own: it is never dropped.
    """
    pages: list[tuple[int, int]] = []
    first, used = 0, 0.0
    for index, height in enumerate(heights):
        if index > first and used + height > room:
            pages.append((first, index))
            first, used = index, 0.0
        used += height
    if heights:
        pages.append((first, len(heights)))
    return pages


def when(stamp: str) -> str:
    """An ISO-8601 time as a resident reads it: 2026-03-02 10:15 (the platform's words if not ISO)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{moment:%Y-%m-%d %H:%M}" if ("T" in stamp or " " in stamp) else f"{moment:%Y-%m-%d}"


def slot_day_and_time(slot: str) -> tuple[str, str]:
    """An appointment slot "YYYY-MM-DDTHH:MM" as the day with its weekday, and the time."""
    try:
        moment = datetime.fromisoformat(slot)
    except ValueError:
        return slot, ""
    weekday = _("Monday Tuesday Wednesday Thursday Friday Saturday Sunday").split()[moment.weekday()]
    return f"{moment:%Y-%m-%d}  {weekday}", f"{moment:%H:%M}"


class TableRow(BoxLayout):
    """One row of a table: its cells side by side, on its own tint (rows alternate)."""

    tint = ColorProperty([0, 0, 0, 0])
    heading = BooleanProperty(False)


class TableCell(KLabel):
    """One cell's text; numbers right-aligned."""

    numeric = BooleanProperty(False)
    heading = BooleanProperty(False)


class QueryScreen(KioskScreen):
    """A query's answer as a large, plain table, a page at a time (no row cut at the fold)."""

    portrait = BooleanProperty(False)
    page_number = NumericProperty(1)
    page_count = NumericProperty(1)
    printable = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.page: TablePage | None = None
        #: Which table showed last (the page's identity, its service, columns and how many rows;
        #: nothing of the resident's): back from printing it, the resident is on the page they
        #: printed from; another visit's table starts at its first page.
        self._shown: tuple[int, str, tuple[str, ...], int] | None = None
        #: (first, end) row indices of each page, for the table's present size and text size.
        self._pages: list[tuple[int, int]] = []
        self._relayout = Clock.create_trigger(lambda _dt: self._lay_out(), 0)
        self.ids.table.bind(size=lambda *_: self._relayout())
        App.get_running_app().theme.bind(body=lambda *_: self._relayout())

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, TablePage):
            return
        shown = (id(page), page.service.id, page.columns, len(page.rows))
        same_table, self._shown = shown == self._shown, shown
        self.page = page
        self.ids.header.title = service_title(page.service)
        values = dict(page.note_values)
        self.ids.note.text = _(page.note).format(**values) if page.note else ""
        self.printable = page.printable
        if not same_table:
            self.page_number = 1
        self._lay_out()

    def on_leave(self, *args: object) -> None:
        # The rows are the resident's data: no widget keeps them once the screen is left.
        self.ids.table.clear_widgets()
        self.page = None

    def turn(self, step: int) -> None:
        """Show the next (1) or the previous (-1) page of rows."""
        self.page_number = max(1, min(self.page_count, self.page_number + step))
        self._lay_out()

    def _lay_out(self) -> None:
        table = self.ids.table
        table.clear_widgets()
        page = self.page
        if page is None or table.width <= 1:
            return
        headings = [_(column) for column in page.columns]
        numeric = numeric_columns(page.rows, len(headings))
        cells = [[_(cell) for cell in row] for row in page.rows]
        theme = App.get_running_app().theme
        # A short table (an account) reads in larger text when it still fits on one page.
        for size in (theme.heading, theme.body):
            widths = self._column_widths(headings, cells, size)
            head = self._row(headings, numeric, widths, size, heading=True)
            rows = [self._row(row, numeric, widths, size, shade=i % 2) for i, row in enumerate(page.rows)]
            self._pages = paginate([row.height for row in rows], table.height - head.height)
            if len(self._pages) <= 1:
                break
        self.page_count = max(1, len(self._pages))
        self.page_number = min(self.page_number, self.page_count)
        table.add_widget(head)
        if self._pages:
            first, end = self._pages[self.page_number - 1]
            for row in rows[first:end]:
                table.add_widget(row)
        table.add_widget(Widget())  # the rows sit at the top; the room left stays below them

    def _column_widths(
        self, headings: Sequence[str], rows: Sequence[Sequence[str]], size: float
    ) -> list[float]:
        """The columns' widths for the table's present width and a text size."""
        theme = App.get_running_app().theme
        font = {"font_size": size, "font_name": theme.font_name}
        sample = TableRow()
        room = self.ids.table.width - sample.padding[0] - sample.padding[2]
        margin = dp(20) + 2  # a cell's own padding (results.kv), and a pixel of rounding each side

        def one_line(text: str, bold: bool = False) -> float:
            return float(CoreLabel(bold=bold, **font).get_extents(text)[0]) + margin if text else 0.0

        heading_widths = [one_line(text, bold=True) for text in headings]
        cell_widths = [
            max((one_line(row[i]) for row in rows if i < len(row)), default=0.0) for i in range(len(headings))
        ]
        return column_widths(heading_widths, cell_widths, room)

    def _row(
        self,
        cells: Sequence[str],
        numeric: Sequence[bool],
        widths: Sequence[float],
        size: float,
        *,
        heading: bool = False,
        shade: int = 0,
    ) -> TableRow:
        theme = App.get_running_app().theme
        row = TableRow(heading=heading)
        if heading:
            row.tint = theme.primary
        elif shade:
            row.tint = (*theme.primary[:3], 0.08)
        else:
            row.tint = theme.surface
        tallest = 0.0
        for index, width in enumerate(widths):
            text = cells[index] if index < len(cells) else ""
            cell = TableCell(text=_(text) if text else "", numeric=numeric[index], heading=heading)
            cell.size_hint_x = None
            cell.width = width
            cell.font_size = size
            cell.texture_update()
            tallest = max(tallest, cell.texture_size[1])
            row.add_widget(cell)
        row.height = max(size * 2.2, tallest + row.padding[1] + row.padding[3])
        return row


class DocumentScreen(KioskScreen):
    """An official document ready to print, with the code anyone can check it by."""

    portrait = BooleanProperty(False)
    #: Why it cannot be printed here (translated), "" when it can.
    problem = StringProperty("")

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, DocumentPage):
            return
        document = page.document
        self.ids.header.title = service_title(page.service)
        self.ids.file_name.text = document.file_name
        self.ids.pages.text = _("Pages: {pages}").format(pages=document.pages)
        self.ids.verify_code.text = document.verify_code
        self.ids.code.data = document.verify_url
        self.problem = _(page.problem).format(help_desk=face().journey.help_desk) if page.problem else ""

    def on_leave(self, *args: object) -> None:
        for name in ("file_name", "verify_code"):
            self.ids[name].text = ""
        self.ids.code.data = ""


class StageRow(BoxLayout):
    """One stage of a case on the timeline: done (ticked, with its time), next, or still to come."""

    name = StringProperty("")
    time = StringProperty("")
    done = BooleanProperty(False)
    next = BooleanProperty(False)
    first = BooleanProperty(False)
    last = BooleanProperty(False)
    tall = BooleanProperty(False)


class CaseScreen(KioskScreen):
    """A case's progress: its number and status, the stages as a timeline, rating the case."""

    portrait = BooleanProperty(False)
    rateable = BooleanProperty(False)
    rated = BooleanProperty(False)

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, CasePage):
            return
        case = page.case
        self.ids.header.title = case.service_name
        self.ids.case_no.text = case.case_no
        # The national words of a case's stages and states (受理, 审查中, ...) are in the catalogue
        # (an English reader gets them in English); a platform's other words stay as given.
        self.ids.status.text = _(case.status)
        self.rateable, self.rated = case.rateable, page.rated
        self._fill_stages(case.stages)

    def on_portrait(self, _instance: Any, portrait: bool) -> None:
        # A screen not showing yet has no size: its orientation is known once it shows.
        for row in self.ids.stages.children:
            row.tall = portrait

    def on_leave(self, *args: object) -> None:
        self.ids.stages.clear_widgets()
        self.ids.case_no.text = ""

    def _fill_stages(self, stages: Sequence[Stage]) -> None:
        box = self.ids.stages
        box.clear_widgets()
        upcoming = next((i for i, stage in enumerate(stages) if not stage.done), None)
        for index, stage in enumerate(stages):
            row = StageRow(
                name=_(stage.name),
                time=when(stage.at) if stage.at and stage.done else "",
                done=stage.done,
                next=index == upcoming,
                first=index == 0,
                last=index == len(stages) - 1,
                tall=self.portrait,
            )
            box.add_widget(row)


class BookedScreen(KioskScreen):
    """A booked counter appointment: its number to show at the counter, the slip, cancelling."""

    portrait = BooleanProperty(False)
    cancelled = BooleanProperty(False)
    cancellable = BooleanProperty(True)
    #: The resident touched "cancel" and is asked to confirm (a slip of the finger loses no booking).
    confirming = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The action bar holds either print and cancel or the question and its answers; the parts
        # are kept here (`ids` holds weak references) while out of the bar.
        self._actions = {
            name: self.ids[name].__self__
            for name in ("confirm_question", "print", "cancel", "cancel_no", "cancel_yes")
        }
        self.bind(
            confirming=lambda *_: self._arrange(),
            cancelled=lambda *_: self._arrange(),
            cancellable=lambda *_: self._arrange(),
        )
        self._arrange()

    def _arrange(self) -> None:
        if self.cancelled:
            shown: tuple[str, ...] = ()
        elif self.confirming:
            shown = ("confirm_question", "cancel_no", "cancel_yes")
        else:
            shown = ("print", "cancel") if self.cancellable else ("print",)
        bar = self.ids.actions
        bar.clear_widgets()
        for name in shown:
            bar.add_widget(self._actions[name])

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, BookedPage):
            return
        appointment = page.appointment
        self.ids.header.title = service_title(page.service)
        self.ids.number.text = appointment.appointment_no
        day, time = slot_day_and_time(appointment.slot)
        details = self.ids.details
        details.clear_widgets()
        for label, value in (
            (_("Service"), appointment.service_name),
            (_("Day"), day),
            (_("Time"), time),
            (_("Where"), appointment.hall_name),
            (_("Address"), appointment.address),
        ):
            if value:
                details.add_widget(Factory.DetailLine(label=label, value=value, roomy=self.portrait))
        self.cancelled, self.cancellable = page.cancelled, page.cancellable
        self.confirming = False

    def on_portrait(self, _instance: Any, portrait: bool) -> None:
        for line in self.ids.details.children:
            line.roomy = portrait

    def on_leave(self, *args: object) -> None:
        self.ids.details.clear_widgets()
        self.ids.number.text = ""
        self.confirming = False


class DetailLine(BoxLayout):
    """A label and its value on one line (the value wraps under itself)."""

    label = StringProperty("")
    value = StringProperty("")
    #: More room around it (a portrait screen has the height).
    roomy = BooleanProperty(False)
