"""What the signed-in user may do, as the UI needs it: why not, in a sentence, and slots that catch NotPermitted."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from facetdesk.domain.users import Actor, NotPermitted, Permission

F = TypeVar("F", bound=Callable[..., Any])


def why_not(actor: Actor | None, permission: Permission) -> str:
    """The sentence shown on a disabled control, e.g. "RN A. Nurse (nurse) may not sign procedures."."""
    return str(NotPermitted(actor, permission))


def user_line(actor: Actor | None) -> str:
    """Who is signed in, as the status bar says it: "Dr. A. Example — Physician"."""
    if actor is None:
        return "Nobody signed in"
    line = f"{actor.display_name} — {actor.role.label}"
    return line + (" · administrator" if actor.is_admin else "")


def guarded(method: F) -> F:
    """A slot that shows a NotPermitted from the services (via ``self.show_not_permitted``) instead of raising it.

    Controls a role may not use are disabled; this catches the paths that stay reachable anyway
    (a shortcut, a signal, a direct call), so a refused action is explained and never crashes the app.
    """

    @functools.wraps(method)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except NotPermitted as exc:
            self.show_not_permitted(exc)
            return None

    return wrapper  # type: ignore[return-value]
