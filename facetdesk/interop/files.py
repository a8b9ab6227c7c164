"""Writing export files atomically: a half-written note, bundle or CSV never sits where a finished one belongs."""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def usable_target(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, or OSError naming why no file can be written there (checked before any work)."""
    if not isinstance(path, (str, os.PathLike)):
        raise OSError(errno.EINVAL, "not a file name")
    target = Path(path)
    try:
        encoded = os.fsencode(target)
    except (UnicodeEncodeError, TypeError):
        encoded = b"\0"
    if not target.name or b"\0" in encoded:
        raise OSError(errno.EINVAL, "not a usable file name", str(target).encode("utf-8", "replace").decode())
    if target.is_dir():
        # Found now rather than at the rename, after the whole export was built (and recorded).
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
    return target


@contextmanager
def atomic_file(path: str | os.PathLike[str], shared: bool = False) -> Iterator[BinaryIO]:
    """A binary file that takes ``path``'s place only when the block ends without an error.

    It is written beside the target under a name no one else uses, flushed to disk, closed and then
    renamed (Windows cannot rename an open file). If the block raises, the temporary file is removed and
    the target is as it was. Patient data on a shared workstation: readable by the user only (0600) unless
    ``shared`` (the user asked, e.g. for a folder an EHR interface reads; or the file holds no patient data,
    such as the clinic's certificate), when the user's usual permissions (umask) apply.
    """
    target = usable_target(path)
    tmp = target.with_name(f".{target.name[:100]}.{secrets.token_hex(6)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666 if shared else 0o600)  # the umask applies to 0o666
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(data: bytes, path: str | os.PathLike[str], *, shared: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place (owner-only unless ``shared``)."""
    target = usable_target(path)
    with atomic_file(target, shared=shared) as fh:
        fh.write(data)
    return target
