"""Dates and times typed as text: empty until entered, left with one Tab, unreadable text named by the service."""

from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QLineEdit, QWidget

from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named

_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DATE_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
# Appended to a date typed without its time: the service then refuses it as "must be a date and time"
# rather than reading it as midnight (a time nobody entered).
_NO_TIME = " (time missing)"


class DateTimeField(QLineEdit):
    """A date (``with_time`` False) or a date and time, typed as YYYY-MM-DD[ HH:MM]; empty: not entered.

    ``value()`` is the date or datetime, None when empty, or the text as typed when it is not one (the service
    refuses it naming the field and the format). Unlike a QDateTimeEdit it has no sections: digits typed go
    where the cursor is, Tab leaves at once, and there is no value until one is typed. setDateTime/dateTime
    and setDate/date mirror QDateTimeEdit's for code that sets or reads it as Qt values.
    """

    def __init__(self, with_time: bool = True):
        super().__init__()
        self._with_time = with_time
        self.setPlaceholderText("YYYY-MM-DD HH:MM" if with_time else "YYYY-MM-DD")
        self.setMaxLength(40)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00 00:00__") + 24)

    # ---- values -------------------------------------------------------------------------------------
    def value(self) -> date | datetime | str | None:
        text = self.text().strip()
        if not text:
            return None
        parsed = self._parse(text)
        if parsed is not None:
            return parsed
        if self._with_time and _DATE.match(text):
            return text + _NO_TIME
        return text

    def set_value(self, value: date | datetime | None) -> None:
        if value is None:
            self.clear()
        elif self._with_time and isinstance(value, datetime):
            self.setText(f"{value:%Y-%m-%d %H:%M}")
        else:
            self.setText(f"{value:%Y-%m-%d}")

    def _parse(self, text: str) -> date | datetime | None:
        try:
            if self._with_time:
                m = _DATE_TIME.match(text)
                if m is None:
                    return None
                year, month, day, hour, minute = (int(g) for g in m.groups())
                return datetime(year, month, day, hour, minute)
            m = _DATE.match(text)
            return None if m is None else date(*(int(g) for g in m.groups()))
        except ValueError:  # 2026-02-30, 25:00: not a date; the service says so
            return None

    # ---- QDateTimeEdit's API, for callers that speak Qt values --------------------------------------------
    def setDateTime(self, value: QDateTime) -> None:  # noqa: N802 (Qt API)
        self.set_value(value.toPython() if value.isValid() else None)  # type: ignore[arg-type]  # a datetime

    def dateTime(self) -> QDateTime:  # noqa: N802 (Qt API)
        v = self.value()
        if isinstance(v, datetime):
            return QDateTime(QDate(v.year, v.month, v.day), QTime(v.hour, v.minute))
        return QDateTime()

    def setDate(self, value: QDate) -> None:  # noqa: N802 (Qt API)
        self.set_value(value.toPython() if value.isValid() else None)  # type: ignore[arg-type]  # a date

    def date(self) -> QDate:
        v = self.value()
        return QDate(v.year, v.month, v.day) if isinstance(v, date) else QDate()


class OneTabDateTimeEdit(QDateTimeEdit):
    """A QDateTimeEdit that Tab leaves at once: Qt's walks its five sections first, so text typed 'into the
    next field' landed in the minutes. Digits typed on entry fill the sections in order as usual."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt API)
        return QWidget.focusNextPrevChild(self, next)


def day_edit(name: str, day: date) -> QDateEdit:
    """A whole day picked from a calendar (a report's first or last day), named ``name``, showing ``day``."""
    edit = named(QDateEdit(), name)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setDate(QDate(day.year, day.month, day.day))
    edit.setMaximumWidth(style.SPIN_MAX_WIDTH)
    return edit


def day_of(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())
