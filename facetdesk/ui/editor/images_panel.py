"""Images saved at the procedure, on the Documentation tab: thumbnails, Add image…, Remove, a larger view.

Each image is kept as soon as it is added (a record of its own, like a follow-up), so the procedure must be saved
first; removing one is refused once the procedure is signed. The service decides; this panel shows what it says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.images import FIELDS, MAX_IMAGE_BYTES, ProcedureImage
from facetdesk.ui.common import style
from facetdesk.ui.common.entry_dialog import EntryDialog
from facetdesk.ui.common.widgets import ChoiceCombo, ErrorLabel, named

_THUMB = 112
_CHOOSE = "— choose —"
_FILTER = "Images (*.dcm *.dicom *.png *.jpg *.jpeg);;All files (*)"


class ImageSource(Protocol):
    """What the panel asks of the image service (services/images.ImageService)."""

    def attach(self, procedure_id: int, data: bytes, entry: dict[str, Any]) -> ProcedureImage: ...
    def renderings(self, procedure_id: int) -> list[tuple[ProcedureImage, bytes]]: ...
    def rendering(self, image_id: int) -> bytes: ...
    def remove(self, image_id: int) -> None: ...


def _pixmap(png: bytes) -> QPixmap:
    pixmap = QPixmap()
    pixmap.loadFromData(png, "PNG")
    return pixmap


class ImageEntryDialog(EntryDialog):
    """View, level and caption of the file chosen; OK attaches it (``attach(entry)`` refuses by field)."""

    def __init__(self, file_name: str, levels: list[str], attach: Callable[[dict[str, Any]], ProcedureImage],
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self._attach = attach
        self.image: ProcedureImage | None = None
        self.setWindowTitle(self.tr("Attach an image"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("File: {name}").format(name=file_name)))
        form = QFormLayout()
        self.fields = self.add_fields(form, ProcedureImage, FIELDS[:1])
        # The procedure's levels first; nothing chosen until chosen (a default is not a fact).
        self.level = named(ChoiceCombo([(lv, lv) for lv in levels], optional=True, none_label=_CHOOSE), "Level")
        form.addRow(self.tr("Level"), self.errors.field(self.level, ("level",)))
        self.fields |= self.add_fields(form, ProcedureImage, FIELDS[1:])
        layout.addLayout(form)
        self.errors.register(("file",), self.errors_label)
        self.add_buttons(layout, QDialogButtonBox.StandardButton.Ok)

    def data(self) -> dict[str, Any]:
        return {**{key: fw.value() for key, fw in self.fields.items()}, "level": self.level.value()}

    def submit(self) -> ProcedureImage | None:
        image = self.errors.saved(lambda: self._attach(self.data()))
        if image is not None:
            self.image = image
            self.accept()
        return image


class ImagesPanel(QGroupBox):
    """``source`` is set by the window (the image service); ``levels`` gives the levels on the Targets tab."""

    def __init__(self, levels: Callable[[], list[str]], all_levels: list[str]):
        super().__init__(self.tr("Images (fluoroscopy or CT)"))
        self.source: ImageSource | None = None
        self._levels, self._all_levels = levels, all_levels
        self._procedure_id: int | None = None
        self._signed = False
        # Whether the signed-in person may attach images (a physician; also after signing: C-arm exports come later).
        self._may_attach = True
        self.dialog: ImageEntryDialog | None = None
        # Patched by tests; a file dialog otherwise.
        self.choose_file: Callable[[], str] = lambda: QFileDialog.getOpenFileName(
            self, self.tr("Attach an image"), "", self.tr(_FILTER)
        )[0]
        self.list = named(QListWidget(), "Procedure images")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(_THUMB, _THUMB))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setFixedHeight(_THUMB + 44)
        self.list.itemDoubleClicked.connect(lambda item: self.open_viewer(item.data(Qt.ItemDataRole.UserRole)))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.error = ErrorLabel()
        self.add_button = named(
            QPushButton(self.tr("Add image…")), "Add image", "DICOM, PNG or JPEG saved from the C-arm or CT"
        )
        self.remove_button = named(QPushButton(self.tr("Remove")), "Remove image")
        self.add_button.clicked.connect(lambda: self.add_image())
        self.remove_button.clicked.connect(self.remove_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        self.show_procedure(None)

    def show_procedure(self, procedure_id: int | None, signed: bool = False) -> None:
        """The images of the stored procedure ``procedure_id`` (None: a new one, not saved yet)."""
        self._procedure_id, self._signed = procedure_id, signed
        self.error.clear()
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        found = self.source.renderings(self._procedure_id) if self.source and self._procedure_id else []
        for image, png in found:
            # View and level under the thumbnail; the caption and the rest in the tooltip.
            item = QListWidgetItem(QIcon(_pixmap(png)), f"{image.view.label}, {image.level}")
            item.setData(Qt.ItemDataRole.UserRole, image.id)
            item.setToolTip(
                f"{image.label()}\n{image.source_format.label}{' ' + image.modality if image.modality else ''}, "
                f"{image.width}×{image.height}; added by {image.added_by} at {image.added_at:%Y-%m-%d %H:%M}"
            )
            self.list.addItem(item)
        self._update_buttons()

    def set_may_attach(self, may: bool) -> None:
        """Outside the form's lock: a signed record still takes images, from someone who may edit procedures."""
        self._may_attach = may
        self.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        saved = self._procedure_id is not None
        self.add_button.setEnabled(saved and self.source is not None and self._may_attach)
        self.remove_button.setEnabled(saved and not self._signed and self._may_attach and self.list.count() > 0)
        if not saved:
            self.hint.setText(self.tr("Save the procedure first: images are attached to a saved procedure."))
        elif self._signed:
            self.hint.setText(self.tr("Signed: images can still be added; they are kept with the record."))
        else:
            self.hint.setText(self.tr("Double-click an image to see it larger."))

    def add_image(self) -> ImageEntryDialog | None:
        """Choose a file, then its view and level; the image is kept when the dialog's OK is accepted."""
        path = self.choose_file()
        if not path or self.source is None or self._procedure_id is None:
            return None
        try:
            if Path(path).stat().st_size > MAX_IMAGE_BYTES:
                raise InvalidRecord([FieldError(("file",), f"is larger than {MAX_IMAGE_BYTES // 2**20} MiB")])
            data = Path(path).read_bytes()
        except OSError as exc:
            self.error.setText(self.tr("Cannot read {name}: {why}").format(name=Path(path).name, why=exc.strerror))
            return None
        except InvalidRecord as exc:
            self.error.setText(str(exc))
            return None
        source, procedure_id = self.source, self._procedure_id
        levels = list(dict.fromkeys([*self._levels(), *self._all_levels]))
        dialog = ImageEntryDialog(Path(path).name, levels, lambda entry: source.attach(procedure_id, data, entry), self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        self.dialog = dialog
        return dialog

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or self.source is None:
            return
        try:
            self.source.remove(item.data(Qt.ItemDataRole.UserRole))
        except InvalidRecord as exc:
            self.error.setText("; ".join(e.message for e in exc.errors))
            return
        self.refresh()

    def open_viewer(self, image_id: int) -> QDialog | None:
        """The image at up to 900 pixels, with its label."""
        if self.source is None:
            return None
        viewer = QDialog(self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a closed viewer frees its full-size picture
        viewer.setWindowTitle(self.tr("Image"))
        layout = QVBoxLayout(viewer)
        picture = QLabel()
        pixmap = _pixmap(self.source.rendering(image_id))
        if max(pixmap.width(), pixmap.height()) > 900:
            keep, smooth = Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            pixmap = pixmap.scaled(900, 900, keep, smooth)
        picture.setPixmap(pixmap)
        layout.addWidget(picture)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(viewer.reject)
        layout.addWidget(close)
        viewer.open()
        return viewer
