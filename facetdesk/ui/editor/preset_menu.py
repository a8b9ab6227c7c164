"""The editor's "Apply preset" menu: one entry per clinic preset."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QMenu, QWidget

from facetdesk.domain.preset import Preset


def preset_menu(presets: Iterable[Preset], on_pick: Callable[[Preset], None], parent: QWidget | None = None) -> QMenu:
    """A menu with one entry per preset; choosing one calls ``on_pick(preset)`` (e.g. apply it to the form)."""
    menu = QMenu(parent)
    menu.setTitle(menu.tr("Apply preset"))
    menu.setAccessibleName("Apply preset")
    chosen = list(presets)
    for preset in chosen:
        action = menu.addAction(preset.name)
        action.triggered.connect(lambda _checked=False, p=preset: on_pick(p))
    if not chosen:
        empty = menu.addAction(menu.tr("No presets yet"))
        empty.setEnabled(False)
    return menu
