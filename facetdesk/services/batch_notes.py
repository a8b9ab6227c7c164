"""Renders many case files to PDF notes in worker processes, one per core (``facetdesk note --batch``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.errors import InvalidRecord
from facetdesk.interop.casefile import read_case
from facetdesk.note.fonts import covered_code_points, register_fonts
from facetdesk.services.rendering import render_case_pdf, write_pdf


@dataclass(frozen=True)
class Outcome:
    """What became of one case file: its note written, or why not."""

    source: str
    output: str = ""  # the PDF written; empty when none was
    invalid: tuple[str, ...] = ()  # the case file's field errors
    failure: str = ""  # a valid case file whose note could not be rendered or written

    @property
    def rendered(self) -> bool:
        return bool(self.output)


@dataclass(frozen=True)
class BatchReport:
    outcomes: tuple[Outcome, ...]
    seconds: float
    workers: int

    @property
    def rendered(self) -> int:
        return sum(o.rendered for o in self.outcomes)

    @property
    def invalid(self) -> int:
        return sum(bool(o.invalid) for o in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.rendered


@dataclass(frozen=True)
class _Task:
    source: str
    output: str
    page_size: str | None
    generated_at: datetime
    shared: bool = False


def case_files(inputs: Iterable[str | Path]) -> list[Path]:
    """The case files named, a folder standing for its *.json files (sorted); each file once, in order given.

    A name that is neither a folder nor a file is kept, so that it is reported as unreadable, not skipped.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for given in inputs:
        for file in _listed(Path(given)):
            try:
                key = file.resolve()
            except (OSError, ValueError, RuntimeError):  # a symlink loop, a NUL: read_case will say what is wrong
                key = file.absolute()
            if key not in seen:
                seen.add(key)
                out.append(file)
    return out


def _listed(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    try:
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file())
    except OSError:
        return [path]  # an unreadable folder is reported like an unreadable file


def warm_up() -> None:
    """Once per worker: the catalog, the registered fonts and their character map serve every note after."""
    get_catalog()
    register_fonts()
    covered_code_points()


def _render(task: _Task) -> Outcome:
    try:
        case = read_case(task.source)
    except InvalidRecord as exc:
        return Outcome(task.source, invalid=tuple(str(err) for err in exc.errors))
    try:
        pdf = render_case_pdf(case, page_size=task.page_size, generated_at=task.generated_at)
    except Exception as exc:  # noqa: BLE001 (one note's bug must not cost the other notes of the batch theirs)
        # Only the type: the message of a failure deep in the layout can quote the patient's text.
        return Outcome(
            task.source,
            failure=f"could not be rendered ({type(exc).__name__}); render it alone with `facetdesk note` to see why",
        )
    try:
        write_pdf(pdf, task.output, shared=task.shared)
    except (OSError, ValueError) as exc:
        return Outcome(task.source, failure=f"cannot write {task.output}: {getattr(exc, 'strerror', None) or exc}")
    return Outcome(task.source, output=task.output)


def _tasks(
    files: Sequence[Path], out_dir: Path, page_size: str | None, generated_at: datetime, shared: bool = False
) -> tuple[list[_Task | Outcome], int]:
    """One task per file; a file whose note would overwrite an earlier file's is refused up front."""
    items: list[_Task | Outcome] = []
    by_name: dict[str, Path] = {}
    for file in files:
        name = f"{file.stem}.pdf"
        first = by_name.setdefault(name.casefold(), file)
        if first is not file:
            items.append(Outcome(str(file), invalid=(f"file: its note {name} would overwrite the note of {first}",)))
        else:
            items.append(_Task(str(file), str(out_dir / name), page_size, generated_at, shared))
    return items, sum(isinstance(i, _Task) for i in items)


def render_batch(
    files: Sequence[str | Path],
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    page_size: str | None = None,
    generated_at: datetime | None = None,
    shared: bool = False,
) -> BatchReport:
    """Render each case file (see ``case_files``) to ``out_dir``/<name>.pdf, each PDF written atomically.

    ``jobs`` worker processes (default: one per CPU) each warm up once and then render note after note; one
    job renders in this process. Every note of the run carries the same generation time, so the bytes do not
    depend on the number of jobs. A bad case file is reported in its Outcome and the others still render.
    Notes are owner-only unless ``shared``. Raises OSError if ``out_dir`` cannot be made.
    """
    started = time.perf_counter()
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    generated = (generated_at or datetime.now()).replace(microsecond=0)
    items, count = _tasks([Path(f) for f in files], target, page_size, generated, shared)
    workers = max(1, min(jobs or os.cpu_count() or 1, count))
    if workers == 1:
        warm_up()
        outcomes = [i if isinstance(i, Outcome) else _render(i) for i in items]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=warm_up) as pool:
            pending: list[Outcome | Future[Outcome]] = [
                i if isinstance(i, Outcome) else pool.submit(_render, i) for i in items
            ]
            outcomes = [_result(i, p) for i, p in zip(items, pending, strict=True)]
    return BatchReport(tuple(outcomes), time.perf_counter() - started, workers)


def _result(item: _Task | Outcome, pending: Outcome | Future[Outcome]) -> Outcome:
    if isinstance(pending, Outcome):
        return pending
    try:
        return pending.result()
    except BrokenProcessPool:
        # A worker killed from outside (out of memory, a signal) takes its pool down; its files are named.
        return Outcome(item.source, failure="not rendered: a worker process stopped unexpectedly")
