"""Reading a whole table in pages by id (keyset), for checks that walk every record without holding them all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def by_id(session: Session, query: sa.Select, id_column: Any, batch: int) -> Iterator[sa.Row]:
    """The rows of ``query`` in ``id_column`` order, ``batch`` per read; the id is the first row item's ``id``."""
    after = 0
    while True:
        rows = session.execute(query.where(id_column > after).order_by(id_column).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1][0].id
