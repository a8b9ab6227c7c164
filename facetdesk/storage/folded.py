"""Several reads as one statement (their rows tagged and stacked with UNION ALL): one round trip, one snapshot.

On a server each statement costs a round trip, and separate statements outside a transaction may see two
different saves; stacked, a patient and its allergies come back together, as one save left them.
"""

from __future__ import annotations

import sqlalchemy as sa

# The column saying which of the stacked reads a row belongs to (its index in ``stacked``'s arguments).
PART = "part"


def stacked(*parts: sa.Select) -> sa.CompoundSelect:
    """One statement returning the rows of each ``parts[i]`` with ``part`` = i.

    A part's columns keep their names; a column only other parts have is NULL in its rows, cast to that
    column's type so both backends read every row back with the types the first part that has it declares.
    """
    types: dict[str, sa.types.TypeEngine] = {}
    for part in parts:
        for column in part.selected_columns:
            types.setdefault(str(column.key), column.type)
    selects = []
    for index, part in enumerate(parts):
        own = {str(column.key): column for column in part.selected_columns}
        columns = [sa.literal_column(str(index), sa.Integer).label(PART)]
        columns += [
            own[name].label(name) if name in own else sa.cast(sa.null(), type_).label(name)
            for name, type_ in types.items()
        ]
        selects.append(part.with_only_columns(*columns, maintain_column_froms=True))
    return sa.union_all(*selects)
