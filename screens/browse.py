"""Home, a list of guides, and one guide in full."""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty

from kiosk.departments import short_department
from kiosk.i18n import translate
from kiosk.journey import View
from kiosk.records import Guide, GuideSummary
from screens.base import KioskScreen
from screens.i18n import _, tr
from screens.widgets import KLabel, Tile

#: How many department tiles the home screen shows; the rest are one touch away in a later issue.
HOME_TILES = 12


class HomeScreen(KioskScreen):
    """Tiles for the departments residents come for, largest first."""

    portrait = BooleanProperty(False)

    def show(self, view: View) -> None:
        journey = App.get_running_app().kiosk.journey
        grid = self.ids.tiles
        grid.clear_widgets()
        for category in journey.catalogue.departments()[:HOME_TILES]:
            tile = Tile(
                title=short_department(category.name),
                subtitle=_("Services: {count}").format(count=category.count),
                key=category.name,
            )
            tile.bind(on_release=lambda tile: journey.open_department(tile.key))
            grid.add_widget(tile)
        events = self.ids.life_events
        events.clear_widgets()
        for category in journey.catalogue.life_events()[:6]:
            tile = Tile(
                title=category.name,
                subtitle=_("Services: {count}").format(count=category.count),
                key=category.name,
            )
            tile.bind(on_release=lambda tile: journey.open_life_event(tile.key))
            events.add_widget(tile)


class GuideListScreen(KioskScreen):
    """The guides of a department or life event, one row each."""

    def show(self, view: View) -> None:
        journey = App.get_running_app().kiosk.journey
        self.ids.header.title = short_department(view.title)
        self.ids.count.text = _("Services: {count}").format(count=len(view.guides))
        self.ids.rows.data = [
            {
                "guide_id": summary.id,
                "name": summary.name,
                "detail": summary_line(summary, tr.lang),
                "on_choose": journey.open_guide,
            }
            for summary in view.guides
        ]
        self.ids.rows.scroll_y = 1


def summary_line(summary: GuideSummary, language: str) -> str:
    """The second line of a guide row: department, time limit, visits."""
    parts = [short_department(summary.department)]
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
    """One guide, materials first, with the actions that take it away: QR and print."""

    def show(self, view: View) -> None:
        guide = view.guide
        if guide is None:
            return
        self.ids.header.title = guide.name
        body = self.ids.body
        body.clear_widgets()
        for heading, lines in guide_sections(guide):
            body.add_widget(Factory.SectionHeading(text=heading))
            for line in lines:
                body.add_widget(KLabel(text=line))
        body.add_widget(Factory.Note(text=about_line(guide)))
        self.ids.scroll.scroll_y = 1


def about_line(guide: Guide) -> str:
    """Where the guide comes from and how fresh it is."""
    parts = [f"事项编码 {guide.id}"]
    if guide.updated:
        parts.append(f"更新于 {guide.updated}")
    if guide.demo:
        parts.append("演示内容，不作为办事依据")
    return "　".join(parts)


def guide_sections(guide: Guide) -> list[tuple[str, list[str]]]:
    """The readable sections of a guide, materials first (guide text stays in Chinese)."""
    sections: list[tuple[str, list[str]]] = []
    if guide.plain:
        sections.append(("一句话说明", [guide.plain]))
    materials = []
    for index, material in enumerate(guide.materials, start=1):
        counts = "，".join(
            part
            for part in (
                f"原件 {material.originals} 份" if material.originals else "",
                f"复印件 {material.copies} 份" if material.copies else "",
            )
            if part
        )
        need = "" if material.required else f"（{material.condition or '视情况提交'}）"
        licence = "　可用电子证照" if material.e_license else ""
        materials.append(f"{index}. {material.name}{need}　{counts}{licence}")
        if material.notes:
            materials.append(f"　　{material.notes}")
    sections.append(("申请材料", materials or ["无需提交材料"]))
    limits = []
    if guide.promised_days is not None:
        limits.append(
            "承诺当场办结" if guide.promised_days == 0 else f"承诺 {guide.promised_days} 个工作日办结"
        )
    if guide.legal_days is not None:
        limits.append("法定即办" if guide.legal_days == 0 else f"法定 {guide.legal_days} 个工作日")
    fee = f"收费：{guide.fee.standard}" if guide.fee.charged else "不收费"
    sections.append(("时限与收费", ["；".join(limits) or "以窗口告知为准", fee]))
    if guide.steps:
        sections.append(
            (
                "办理流程",
                [
                    f"{index}. {step.title}" + (f"：{step.description}" if step.description else "")
                    for index, step in enumerate(guide.steps, start=1)
                ],
            )
        )
    if guide.locations:
        sections.append(
            (
                "办理地点",
                [
                    "　".join(part for part in (place.hall, place.address, place.hours) if part)
                    for place in guide.locations
                ],
            )
        )
    if guide.phone or guide.complaint_phone:
        sections.append(
            (
                "咨询与投诉",
                [
                    "　".join(
                        p
                        for p in (
                            f"咨询 {guide.phone}" if guide.phone else "",
                            f"投诉 {guide.complaint_phone}" if guide.complaint_phone else "",
                        )
                        if p
                    )
                ],
            )
        )
    return sections
