"""Home, a list of guides, and one guide in full."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.departments import short_department
from kiosk.guides import Category
from kiosk.guides.sections import about_line, guide_sections, plain_sections
from kiosk.i18n import translate
from kiosk.journey import ELDER_TASKS, HOME_TASKS, Journey, View
from kiosk.records import GuideSummary
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _, tr
from screens.widgets import KLabel, Tile

#: How many department tiles the home screen shows; when there are more, the last is "more departments".
HOME_TILES = 12
#: What residents call the two audiences (the kiosk's words, so translated).
AUDIENCE_LABELS = {"individual": "Services for individuals", "enterprise": "Services for businesses"}


def row_sizes(count: int, columns: int) -> list[int]:
    """How many of `count` tiles stand in each row, at most `columns` a row: as few rows as that
    allows, the longer rows first, no two rows more than one tile apart (7 in 4 columns: 4, 3)."""
    if count <= 0:
        return []
    rows = -(-count // max(1, columns))
    base, longer = divmod(count, rows)
    return [base + 1] * longer + [base] * (rows - longer)


class HomeScreen(KioskScreen):
    """The tasks residents come for as large tiles, then browsing by audience, department, life event."""

    portrait = BooleanProperty(False)
    #: Elder mode's simpler home: fewer, larger tiles and no browsing below them.
    simple = BooleanProperty(False)
    #: How high a task tile is and how many stand in a row at most (browse.kv, from the theme).
    task_height = NumericProperty(0)
    task_columns = NumericProperty(3)

    def on_kv_post(self, base_widget: Any) -> None:
        # ids hold weak proxies: keep the widgets themselves, to outlive their time off the screen.
        self._task_tiles = {key: self.ids[key].__self__ for key in HOME_TASKS}
        self._browsing = self.ids.browsing.__self__
        self._voice_tile = self.ids.voice_tile.__self__
        #: The tasks the journey offers now (a tile that would lead nowhere is not shown).
        self._offered = frozenset(HOME_TASKS)
        self._browsable = True
        self.bind(task_height=self._lay_out_tasks, task_columns=self._lay_out_tasks)
        self.on_simple(self, self.simple)

    def on_simple(self, _instance: Any, simple: bool) -> None:
        if not hasattr(self, "_task_tiles"):
            return  # the KV rule is still being applied; on_kv_post lays the tiles out
        self._lay_out_tasks()
        # Taken out, not hidden: a collapsed box's tiles would still overlap, and catch, the touches.
        browsing, page = self._browsing, self.ids.tasks.parent
        show_browsing = not simple and self._browsable
        if not show_browsing and browsing.parent is page:
            page.remove_widget(browsing)
        elif show_browsing and browsing.parent is None:
            page.add_widget(browsing)

    def _lay_out_tasks(self, *_args: Any) -> None:
        """The offered tasks in full rows: a row of fewer tiles has wider ones, never an empty slot."""
        keys = [key for key in (ELDER_TASKS if self.simple else HOME_TASKS) if key in self._offered]
        tasks = self.ids.tasks
        for tile in self._task_tiles.values():
            if tile.parent is not None:
                tile.parent.remove_widget(tile)
        tasks.clear_widgets()
        for size in row_sizes(len(keys), int(self.task_columns)):
            row = BoxLayout(size_hint_y=None, height=self.task_height, spacing=tasks.spacing)
            for key in keys[:size]:
                row.add_widget(self._task_tiles[key])
            keys = keys[size:]
            tasks.add_widget(row)

    def task_tiles(self) -> list[Tile]:
        """The task tiles shown, in reading order."""
        return [tile for row in reversed(self.ids.tasks.children) for tile in reversed(row.children)]

    def show(self, view: View) -> None:
        self.ids.scroll.scroll_y = 1
        journey = face().journey
        help_desk = journey.help_desk
        self.ids.no_guides.text = _(view.no_guides).format(help_desk=help_desk) if view.no_guides else ""
        self._offered, self._browsable = view.tasks, not view.no_guides
        self.on_simple(self, self.simple)
        voice = self._voice_tile
        if not journey.voice_offered and voice.parent is not None:
            voice.parent.remove_widget(voice)  # no speaker in service: a switch would pretend
        catalogue = journey.catalogue
        audiences = self.ids.audiences
        audiences.clear_widgets()
        for category in catalogue.audiences():
            tile = count_tile(_(AUDIENCE_LABELS[category.name]), category)
            tile.bind(on_release=lambda tile: journey.open_audience(tile.key))
            audiences.add_widget(tile)
        departments = catalogue.departments()
        shown = departments if len(departments) <= HOME_TILES else departments[: HOME_TILES - 1]
        fill_department_tiles(self.ids.tiles, shown, journey)
        if len(shown) < len(departments):
            more = Tile(
                title=_("More departments"),
                subtitle=_("Departments: {count}").format(count=len(departments)),
                key="more",
            )
            more.bind(on_release=lambda _tile: journey.open_all_departments())
            self.ids.tiles.add_widget(more)
        fill_life_event_tiles(self.ids.life_events, catalogue.life_events(), journey)


class CategoryScreen(KioskScreen):
    """Browsing one level down from home: an audience, all departments, or all life events."""

    portrait = BooleanProperty(False)
    has_life_events = BooleanProperty(False)
    has_departments = BooleanProperty(True)

    def show(self, view: View) -> None:
        journey = face().journey
        if view.audience:
            self.ids.header.title = _(AUDIENCE_LABELS[view.audience])
        elif view.departments:
            self.ids.header.title = _("All departments")
        else:
            self.ids.header.title = _("Life events (一件事)")
        self.has_life_events = bool(view.life_events)
        self.has_departments = bool(view.departments)
        fill_life_event_tiles(self.ids.life_events, view.life_events, journey)
        fill_department_tiles(self.ids.tiles, view.departments, journey, view.audience)
        self.ids.scroll.scroll_y = 1


def count_tile(title: str, category: Category) -> Tile:
    """A tile named `title` that counts the services of `category` and carries its name as key."""
    return Tile(
        title=title,
        subtitle=_("Services: {count}").format(count=category.count),
        key=category.name,
    )


def fill_department_tiles(
    grid: Any, departments: list[Category], journey: Journey, audience: Any = None
) -> None:
    """One tile per department, opening its guides (for `audience`, when browsing by audience)."""
    grid.clear_widgets()
    for category in departments:
        tile = count_tile(short_department(category.name), category)
        tile.bind(on_release=lambda tile: journey.open_department(tile.key, audience))
        grid.add_widget(tile)


def fill_life_event_tiles(grid: Any, life_events: list[Category], journey: Journey) -> None:
    """One tile per life event (一件事), opening its member guides."""
    grid.clear_widgets()
    for category in life_events:
        tile = count_tile(_("{event} (one visit)").format(event=category.name), category)
        tile.bind(on_release=lambda tile: journey.open_life_event(tile.key))
        grid.add_widget(tile)


class GuideListScreen(KioskScreen):
    """The guides of a department or life event, one row each, read a page at a time."""

    def show(self, view: View) -> None:
        journey = face().journey
        title = short_department(view.title)
        if view.audience:
            title = f"{title} · {_(AUDIENCE_LABELS[view.audience])}"
        self.ids.header.title = title
        self.ids.count.text = _("Services: {count}").format(count=view.total or len(view.guides))
        # In a department's own list its name on every row says nothing new.
        with_department = view.query is None or view.query.department is None
        rows: list[dict[str, Any]] = [
            {
                "guide_id": summary.id,
                "name": summary.name,
                "detail": summary_line(summary, tr.lang, with_department=with_department),
                "on_choose": journey.open_guide,
            }
            for summary in view.guides
        ]
        left = view.total - len(view.guides)
        if left > 0:
            rows.append(
                {
                    "viewclass": "MoreRow",
                    "text": _("Show {count} more").format(count=left),
                    "on_choose": journey.more_guides,
                }
            )
        rv = self.ids.rows
        keep_place = bool(rv.data) and rv.data[0].get("guide_id") == (
            rows[0].get("guide_id") if rows else None
        )
        rv.data = rows
        if not keep_place:  # a new list starts at the top; a longer page of the same list stays put
            rv.scroll_y = 1


def printer_warning(problem: str) -> str:
    """What to tell a resident before they try a printer that cannot print: why, and what instead."""
    if not problem:
        return ""
    help_desk = face().journey.help_desk
    instead = _("Take the checklist to your phone with the QR code instead, or ask at {help_desk}.")
    return f"{_(problem)} {instead.format(help_desk=help_desk)}"


def summary_line(summary: GuideSummary, language: str, *, with_department: bool = True) -> str:
    """The second line of a guide row: department, time limit, visits."""
    parts = [short_department(summary.department)] if with_department else []
    if summary.promised_days is not None:
        parts.append(
            translate("Done on the spot", language)
            if summary.promised_days == 0
            else translate("{days} working days", language).format(days=summary.promised_days)
        )
    if summary.max_visits is not None:
        parts.append(
            translate("No visit needed", language)
            if summary.max_visits == 0
            else translate("At most {visits} visit(s)", language).format(visits=summary.max_visits)
        )
    return " · ".join(parts)


class GuideDetailScreen(KioskScreen):
    """One guide, materials first, or its plain-language version; QR and print take it away."""

    has_plain = BooleanProperty(False)
    plain = BooleanProperty(False)

    def show(self, view: View) -> None:
        guide = view.guide
        if guide is None:
            return
        self.ids.printer_problem.text = printer_warning(view.printer_problem)
        self.ids.header.title = guide.name
        self.has_plain = bool(guide.plain)
        self.plain = view.plain
        body = self.ids.body
        body.clear_widgets()
        for section in plain_sections(guide) if view.plain else guide_sections(guide):
            body.add_widget(Factory.SectionHeading(text=section.heading))
            for line in section.lines:
                body.add_widget(Factory.PlainLine(text=line) if view.plain else KLabel(text=line))
        body.add_widget(Factory.Note(text=about_line(guide)))
        self.ids.scroll.scroll_y = 1

    def on_leave(self, *args: object) -> None:
        # `show` lays the guide out again whenever the screen comes back; meanwhile each of its
        # lines would keep its text's texture (16 MiB for a long guide at 1920x1080, more in elder
        # mode) and its widgets, for as long as the kiosk shows anything else.
        self.ids.body.clear_widgets()
