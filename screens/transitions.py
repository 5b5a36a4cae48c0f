"""The screen change the kiosk shows: Kivy's fade, without what Kivy keeps after it."""

from __future__ import annotations

from kivy.uix.screenmanager import FadeTransition


class Fade(FadeTransition):
    """Kivy's fade, letting go of its frame buffers as soon as the new screen shows.

    Kivy's shader transitions draw the two screens into two frame buffers the size of the window
    (each a colour texture and a stencil buffer, holding the screens' canvases) and keep them after
    the fade, until the next screen change replaces them: at 1920x1080, two 8 MiB textures with
    their stencils, held for nothing between two touches and for the whole of an idle night. The
    next fade makes new ones, as Kivy's own does.
    """

    def on_complete(self) -> None:
        super().on_complete()
        # Dropped, not cleared: a screen's canvas is still in one of them and belongs to the
        # manager again; clearing would take it from there.
        self.fbo_in = self.fbo_out = None
        self.render_ctx = None
