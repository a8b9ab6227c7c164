"""FacetDesk's icon on its windows: the title bar, the task bar and the window switcher show it, not Qt's default."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from facetdesk.ui.common import app_icon
from facetdesk.ui.common.app_icon import ICON_SIZES, ensure_application_icon


def test_every_window_carries_facetdesks_icon_in_each_size(qapp):
    previous = qapp.windowIcon()
    try:
        qapp.setWindowIcon(app_icon.QIcon())
        ensure_application_icon()
        icon = qapp.windowIcon()
        assert sorted(s.width() for s in icon.availableSizes()) == list(ICON_SIZES)
        drawn = icon.pixmap(32, 32).toImage()
        assert not drawn.isNull() and drawn.pixelColor(16, 16).alpha() == 255  # the tile, not a transparent square
        dialog = QDialog()  # any window, the sign-in dialog as much as the main window, inherits it
        assert dialog.windowIcon().cacheKey() == icon.cacheKey()
        ensure_application_icon()  # once set, left as it is
        assert qapp.windowIcon().cacheKey() == icon.cacheKey()
    finally:
        qapp.setWindowIcon(previous)


def test_a_resources_folder_without_icons_gives_no_icon_rather_than_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("FACETDESK_RESOURCES", str(tmp_path))
    assert app_icon.application_icon().isNull()
