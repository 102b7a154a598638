"""Ingest: sources -> batches -> ``process_batch`` (pure, in workers) -> the store.

    inputs --open_inputs--> Raw | Failure --batches--> process_batch --> Document --Store.write_batch-->

``process_batch`` is the one function an executor maps: a pure function of a
batch of pages (extract or clean, metadata, signatures), so the local process
pool and a future distributed executor run the very same step. Everything
with side effects (reading inputs, fetching, writing the store, the progress
bar) stays in the calling process.

Text dumps that share a site (their URL's host, or ``site=`` for the whole
run) are batched together, up to ``SITE_BATCH`` at a time, so that the
cleaner's site memory sees them side by side.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..config import Config
from ..errors import ThresherError
from ..textmeta import site_of
from .executors import LocalExecutor
from .failures import top_reasons
from .process import Step
from .sources import Failure, Raw, Tally
from .store import BatchStats, Store

__all__ = [
    "BATCH_SIZE",
    "SITE_BATCH",
    "TOP_REASONS",
    "IngestFailure",
    "IngestReport",
    "batches",
    "ingest",
    "open_inputs",
]

#: Pages per batch: large enough that per-batch costs (a transaction, a
#: round trip to a worker) vanish, small enough for a live progress bar.
BATCH_SIZE = 32
#: Dumps of one site cleaned together, for site memory; a site with more
#: dumps is cleaned in groups of this many (memory stays bounded).
SITE_BATCH = 64


# -- inputs --------------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def open_inputs(
    inputs: Iterable[str],
    *,
    url_files: Iterable[str] = (),
    fetch_policy=None,
    skip: Callable[[str], bool] = lambda source: False,
    extensions: tuple[str, ...] | None = None,
    tally: Tally | None = None,
) -> Iterator[Raw | Failure]:
    """Every page of ``inputs`` (paths, directories, globs, ``-``, URLs) and of the URL lists.

    ``skip(source)`` is asked before a URL is fetched, so a re-run does not
    fetch again what is already stored. ``extensions`` are those of the files
    a directory walk reads (default ``PAGE_EXTENSIONS``); what is passed over
    is counted in ``tally``.
    """
    from .sources.files import PAGE_EXTENSIONS, iter_files
    from .sources.web import Fetcher, read_url_list

    inputs = list(inputs)
    urls = [i for i in inputs if _is_url(i)]
    for path in url_files:
        try:
            urls += read_url_list(path)
        except OSError as exc:
            yield Failure(path, "read", f"cannot read URL list: {exc.strerror or exc}")
    files = (i for i in inputs if not _is_url(i))
    yield from iter_files(files, extensions=extensions or PAGE_EXTENSIONS, tally=tally)
    if urls:
        with Fetcher(fetch_policy) as fetcher:
            for url in urls:
                if not skip(url):
                    yield fetcher.fetch(url)


def batches(
    items: Iterable[Raw | Failure], *, site: str | None = None, size: int = BATCH_SIZE
) -> Iterator[list[Raw | Failure]]:
    """Group pages into batches; text dumps of one site go together (site memory)."""
    batch: list[Raw | Failure] = []
    by_site: dict[str, list[Raw]] = {}
    for item in items:
        key = (site or site_of(item.url)) if isinstance(item, Raw) and item.kind == "text" else None
        if key:
            group = by_site.setdefault(key, [])
            group.append(item)
            if len(group) >= SITE_BATCH:
                yield by_site.pop(key)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
    yield from by_site.values()


# -- the run -----------------------------------------------------------------------------------


#: Failure reasons the final report names (the rest: ``thresher failures``).
TOP_REASONS = 3


@dataclass(slots=True)
class IngestReport:
    inputs: int = 0  # pages and failed inputs seen this run
    stats: BatchStats = field(default_factory=BatchStats)
    seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)  # what was passed over, and the bytes read

    @property
    def removed_share(self) -> float:
        total = self.stats.chars + self.stats.removed_chars
        return self.stats.removed_chars / total if total else 0.0

    def lines(self) -> list[str]:
        s = self.stats
        rate = (s.added / self.seconds) if self.seconds else 0.0
        retried = f", {s.retried} failed before and tried again" if s.retried else ""
        return [
            f"inputs:      {self.inputs} ({s.skipped} already stored{retried})",
            f"documents:   {s.added} added: {s.ok} articles, {s.empty} without article text",
            f"duplicates:  {s.duplicates} linked to a canonical document",
            *self.failure_lines(),
            self.skipped_line(),
            f"boilerplate: {self.removed_share:.1%} of the text removed",
            f"time:        {self.seconds:.1f} s ({rate:.1f} docs/s)",
        ]

    def skipped_line(self) -> str:
        """What the readers passed over, by why: no page, no failure, but not silent."""
        skipped = self.tally.skipped
        why = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"skipped:     {sum(skipped.values())} ({why or 'none'})"

    def failure_lines(self) -> list[str]:
        """The failures by stage, then the most frequent reasons and how many are retried."""
        s = self.stats
        n = sum(s.failures.values())
        stages = ", ".join(f"{k} {v}" for k, v in sorted(s.failures.items())) or "none"
        lines = [f"failures:    {n} ({stages})"]
        if n:
            top = "; ".join(f"{key} ({count})" for key, count in top_reasons(s.reasons, TOP_REASONS))
            more = len(s.reasons) - TOP_REASONS
            lines.append(f"             {top}" + (f"; {more} more reasons" if more > 0 else ""))
        if s.transient:
            lines.append(f"             {s.transient} transient: the next run tries them again")
        return lines


class _Progress:
    """A live bar on a terminal (docs/s, failures); nothing when output is piped."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(unit=" docs", dynamic_ncols=True, file=sys.stderr)

    def update(self, n: int, failures: int, duplicates: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            self.bar.set_postfix(failed=failures, dups=duplicates, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def ingest(
    inputs: Iterable[str],
    store: Store,
    *,
    workers: int = 1,
    site: str | None = None,
    url_files: Iterable[str] = (),
    fetch_policy=None,
    progress: bool | None = None,
    strict: bool = False,
    config: Config | None = None,
    retry_failed: bool = False,
    extensions: tuple[str, ...] | None = None,
) -> IngestReport:
    """Ingest every page of ``inputs`` into ``store``; return the run's report.

    Every page is extracted or cleaned with ``config`` (default ``Config()``),
    in this process or in each worker; a model the config names that cannot be
    loaded raises ``ModelError`` before any input is read. Inputs already
    stored are skipped (before extraction, and before fetching a URL), but
    for transient failures (``failures.transient``: a server error, a timeout,
    a missing file), which are tried again, as every failure is with
    ``retry_failed``. With ``strict`` the run stops at the first failure,
    after storing the batch it was in. ``extensions`` are those of the files
    a directory walk reads (``sources.files.PAGE_EXTENSIONS``).
    """
    store.check_writable()
    step = Step(config, site)  # loads the models: a bad config fails here, before any input is read
    report = IngestReport()
    start = time.perf_counter()
    bar = _Progress(sys.stderr.isatty() if progress is None else progress)

    def fresh(items):
        # skip what is stored already, a chunk at a time (one query per chunk)
        chunk: list = []
        for item in items:
            report.inputs += 1
            chunk.append(item)
            if len(chunk) >= BATCH_SIZE:
                yield from _unknown(store, chunk, report, retry_failed)
                chunk = []
        yield from _unknown(store, chunk, report, retry_failed)

    def stored(source: str) -> bool:
        # a URL already stored is not fetched again, but it is an input of the run
        if store.known([source], retry_failed=retry_failed):
            report.inputs += 1
            report.stats.skipped += 1
            return True
        return False

    items = open_inputs(
        inputs, url_files=url_files, fetch_policy=fetch_policy, skip=stored, extensions=extensions, tally=report.tally
    )

    def written(job) -> None:
        docs, future = job
        stats = future.result()
        report.stats.merge(stats)
        bar.update(stats.added, sum(report.stats.failures.values()), report.stats.duplicates)
        if strict and stats.failures:
            first = next(d for d in docs if d.status == "failed")
            raise IngestFailure(f"{first.source}: {first.stage}: {first.reason}")

    # One writer thread stores batch k while batch k+1 is processed: SQLite
    # releases the GIL, so indexing overlaps extraction. Batches are written
    # in order, one transaction each.
    pending = None
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="thresher-writer") as writer:
            for docs in LocalExecutor(workers).map(step, batches(fresh(items), site=site)):
                if pending is not None:
                    written(pending)
                pending = (docs, writer.submit(store.write_batch, docs))
            if pending is not None:
                written(pending)
    finally:
        bar.close()
        report.seconds = time.perf_counter() - start
    return report


def _unknown(store: Store, chunk: list, report: IngestReport, retry_failed: bool) -> list:
    if not chunk:
        return []
    known = store.known((item.source for item in chunk), retry_failed=retry_failed)
    report.stats.skipped += sum(1 for item in chunk if item.source in known)
    return [item for item in chunk if item.source not in known]


class IngestFailure(ThresherError):
    """Raised in strict mode at the first input that failed."""
