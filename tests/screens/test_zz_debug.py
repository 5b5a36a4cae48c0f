from kiosk.journey import Screen
from screens.driver import UiDriver


def test_dbg(ui: UiDriver) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    for elder in (False, True):
        if elder:
            ui.app.toggle_elder()
            ui.until(lambda: ui.app.theme.variant == "elder")
            ui.frames(4)
        tile = ui.widget(Screen.HOME, "search")
        print(
            "elder",
            elder,
            "tile",
            tile.pos,
            tile.size,
            tile.to_window(*tile.center),
            tile.disabled,
            tile.opacity,
            tile.parent,
        )
        scroll = ui.widget(Screen.HOME, "scroll")
        print("scroll", scroll.pos, scroll.size, scroll.scroll_y)
        ui.shot(__import__("pathlib").Path(f"/tmp/dbg/home_{elder}.png"))
        ui.tap(tile)
        ui.frames(4)
        print("current", ui.current)
        if ui.current == "search":
            ui.tap(ui.widget(Screen.SEARCH, "home"))
            ui.on(Screen.HOME)
