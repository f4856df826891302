"""What domain apps add to the shared pages, registered in their AppConfig.ready(), so that
core imports no domain app (DESIGN §3): the link of a module's home tile, and panels on the
staff desk."""

from dataclasses import dataclass

MODULE_URLS: dict = {}  # module code (core.views.MODULES) → its URL (lazy)


@dataclass(frozen=True)
class DeskPanel:
    template: str
    context: object  # function(user) → dict for the template, or None to leave it out


DESK_PANELS: list[DeskPanel] = []


def register_module(code: str, url) -> None:
    MODULE_URLS[code] = url


def register_desk_panel(*, template: str, context) -> None:
    panel = DeskPanel(template, context)
    if panel not in DESK_PANELS:
        DESK_PANELS.append(panel)


def tiles(modules) -> list[tuple]:
    """(code, glyph, title, blurb, url or None): a module nobody registered is "coming soon"."""
    return [(*m, MODULE_URLS.get(m[0])) for m in modules]


def desk_panels(user) -> list[tuple[str, dict]]:
    """(template, context) of every panel that has something for this user."""
    shown = []
    for panel in DESK_PANELS:
        data = panel.context(user)
        if data is not None:
            shown.append((panel.template, data))
    return shown
