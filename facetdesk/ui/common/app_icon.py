"""FacetDesk's application icon, from resources/icons, set once for every window of the app."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QIcon

from facetdesk.resources import resources_dir

# The sizes tools/make_icons.py renders into resources/icons; the .deb installs the same into the hicolor theme.
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def application_icon() -> QIcon:
    """The icon in every size resources/icons holds; null (the platform's default icon) if it holds none."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resources_dir() / "icons" / f"facetdesk-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon


def ensure_application_icon() -> None:
    """Give the app's windows (open and future) FacetDesk's icon, unless they have it already.

    Called after the sign-in dialog's first paint, not before: on X11 the icon's six images are decoded when a
    window carries it, about 10 ms that the first screen would otherwise wait for."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication) and app.windowIcon().isNull():
        QGuiApplication.setWindowIcon(application_icon())
