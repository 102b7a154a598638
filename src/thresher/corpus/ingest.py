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

A run can be watched and stopped: the report names the top failure reasons
and what the readers passed over; a live bar shows the bytes read against
the inputs' size, and the URLs fetched; Ctrl-C stops it cleanly
(``run_batches``, shared with ``reprocess``), and the same run again resumes,
trying the transient failures again (``failures.transient``).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from ..config import Config
from ..errors import ThresherError
from ..textmeta import preload, site_of
from .executors import LocalExecutor, sigint_ignored
from .failures import top_reasons
from .languages import language_set
from .process import Step
from .sources import Failure, Raw, Tally, is_url
from .store import BatchStats, Document, Store

__all__ = [
    "BATCH_SIZE",
    "SITE_BATCH",
    "TOP_REASONS",
    "IngestFailure",
    "IngestReport",
    "Progress",
    "batches",
    "ingest",
    "input_bytes",
    "open_inputs",
    "run_batches",
]

#: Pages per batch: large enough that per-batch costs (a transaction, a
#: round trip to a worker, well under a millisecond) vanish, small enough that
#: the progress bar moves smoothly (it moves as batches are read). 300 pages
#: of the wcxb_dev bench (JSONL, 240 KiB each) ingested in 5.4-7.5 s with 8
#: and 5.9-9.2 s with 32, on one or two workers of a shared 2-core machine
#: (2026-11-30): no cost to measure. (Until then 32: the bar moved by 32.)
BATCH_SIZE = 8
#: Dumps of one site cleaned together, for site memory; a site with more
#: dumps is cleaned in groups of this many (memory stays bounded).
SITE_BATCH = 64


# -- inputs --------------------------------------------------------------------------------


def open_inputs(
    inputs: Iterable[str],
    *,
    url_files: Iterable[str] = (),
    fetch_policy=None,
    skip: Callable[[str], bool] = lambda source: False,
    extensions: tuple[str, ...] | None = None,
    tally: Tally | None = None,
    on_url: Callable[[int, int, str | None], None] = lambda done, total, url: None,
    max_bytes: int | None = None,
) -> Iterator[Raw | Failure]:
    """Every page of ``inputs`` (paths, directories, globs, ``-``, URLs) and of the URL lists.

    ``skip(source)`` is asked of every URL before the first is fetched, so a
    re-run does not fetch again what is already stored. URLs are fetched a
    queue per origin (``Fetcher.fetch_all``): one host's politeness holds up
    its own URLs only. ``extensions`` are those of the files
    a directory walk reads (default ``PAGE_EXTENSIONS``); what is passed over
    is counted in ``tally``. ``on_url(done, total, url)`` is called before each
    URL is fetched (or skipped), and once at the end with ``url=None``.
    ``max_bytes`` bounds a page read from a file, a WARC record, a JSONL line or
    a URL (``FetchPolicy.max_bytes`` when smaller), after decompression
    (default ``Config().max_input_bytes``).
    """
    from .sources.files import PAGE_EXTENSIONS, iter_files
    from .sources.web import Fetcher, FetchPolicy, read_url_list

    inputs = list(inputs)
    urls = [i for i in inputs if is_url(i)]
    for path in url_files:
        try:
            urls += read_url_list(path)
        except OSError as exc:
            yield Failure(path, "read", f"cannot read URL list: {exc.strerror or exc}")
    files = (i for i in inputs if not is_url(i))
    yield from iter_files(
        files, extensions=extensions or PAGE_EXTENSIONS, tally=tally, max_bytes=max_bytes or Config().max_input_bytes
    )
    if urls:
        policy = fetch_policy or FetchPolicy()
        if max_bytes and max_bytes < policy.max_bytes:  # a page the run would refuse is not fetched whole
            policy = dataclasses.replace(policy, max_bytes=max_bytes)
        todo = [url for url in urls if not skip(url)]  # asked once of each URL, before any is fetched
        stored = len(urls) - len(todo)
        with Fetcher(policy) as fetcher:
            yield from fetcher.fetch_all(todo, on_url=lambda done, total, url: on_url(stored + done, len(urls), url))


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
    interrupted: bool = False  # stopped by Ctrl-C: what was stored stays, the same run again resumes
    other_languages: int | None = None  # articles left out by ``languages`` (None: no filter)

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
            *_language_line(self.other_languages),
            f"duplicates:  {s.duplicates} linked to a canonical document",
            *self.failure_lines(),
            self.skipped_line(),
            f"boilerplate: {self.removed_share:.1%} of the text removed",
            f"time:        {self.seconds:.1f} s ({rate:.1f} docs/s)",
        ]

    def skipped_line(self) -> str:
        """What the readers passed over, by why: no page, no failure, but not silent."""
        skipped = self.tally.skipped
        why = ", ".join(f"{k} {v}" for k, v in top_reasons(skipped))
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


class Progress:
    """A live bar on a terminal; nothing when output is piped (``enabled=False``).

    The bar measures what was read: bytes for an ingest (with a total, hence a
    percentage and an ETA, when the inputs are files), documents for a
    reprocess. It moves as each input is read, not as each batch is stored,
    and shows the documents stored, the failures and the duplicates beside.
    While URLs are fetched, a second bar counts them and names the host
    being fetched, so a slow server never looks like a hung run.
    """

    def __init__(self, enabled: bool, *, total: int | None, unit: str, desc: str):
        self._tqdm = None
        self.bar = self.fetch_bar = None
        self._start = time.perf_counter()
        if enabled:
            from tqdm import tqdm

            self._tqdm = tqdm
            scale = {"unit_scale": True, "unit_divisor": 1024} if unit == "B" else {}
            self.bar = tqdm(total=total or None, unit=unit, desc=desc, dynamic_ncols=True, file=sys.stderr, **scale)

    def moved_to(self, n: int) -> None:
        """The reading reached ``n`` (bytes or documents)."""
        if self.bar is not None and n > self.bar.n:
            self.bar.update(n - self.bar.n)

    def fetching(self, done: int, total: int, url: str | None) -> None:
        """``done`` of ``total`` URLs were fetched; ``url`` is fetched next (``None``: the last is done)."""
        if self._tqdm is None:
            return
        if self.fetch_bar is None:
            self.fetch_bar = self._tqdm(total=total, unit=" URLs", desc="fetch", dynamic_ncols=True, file=sys.stderr)
        self.fetch_bar.set_description_str(f"fetch {_host(url)}" if url else "fetch", refresh=False)
        self.fetch_bar.update(done - self.fetch_bar.n)
        self.fetch_bar.refresh()

    def stored(self, docs: int, failures: int, duplicates: int) -> None:
        bar = self.fetch_bar or self.bar
        if bar is not None:
            rate = docs / max(time.perf_counter() - self._start, 1e-9)
            bar.set_postfix_str(f"{docs} docs ({rate:.1f}/s), {failures} failed, {duplicates} dups", refresh=False)

    def close(self) -> None:
        for bar in (self.bar, self.fetch_bar):
            if bar is not None:
                bar.close()


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def input_bytes(inputs: Iterable[str], extensions: tuple[str, ...] | None = None) -> int:
    """The size of the files ``inputs`` name (what the readers will count as read):
    the progress bar's total. A directory is walked once more for it, a cost of
    about a stat per file, small beside reading and extracting each one."""
    from .sources.files import PAGE_EXTENSIONS, STDIN, iter_paths

    total = 0
    for path in iter_paths((i for i in inputs if not is_url(i)), extensions=extensions or PAGE_EXTENSIONS):
        if isinstance(path, str) and path != STDIN:
            try:
                total += os.path.getsize(path)
            except OSError:
                pass
    return total


@dataclass(slots=True)
class _Job:
    batch: list
    docs: list
    future: Future
    done: bool = False


def run_batches(
    items: Iterable[Raw | Failure],
    step: Callable[[list], list[Document]],
    *,
    workers: int,
    site: str | None,
    write: Callable[[list[Document], list], BatchStats],
    stored: Callable[[list[Document], BatchStats], None],
) -> bool:
    """Map ``step`` over batches of ``items`` in ``workers`` processes and ``write(docs, batch)``
    each result, in order; ``stored(docs, stats)`` after each write. What ingest and reprocess share.

    One writer thread stores batch k while batch k+1 is processed: SQLite
    releases the GIL, so indexing overlaps extraction. Each write is one
    transaction. Ctrl-C stops the run cleanly: the workers ignore it (the pool
    is shut down here), the batch being written is finished and counted, and
    ``False`` is returned (``True`` when every item was processed). A second
    Ctrl-C during that clean-up is ignored; it takes well under a second.
    """
    fed: deque[list] = deque()  # the batches handed to the executor, in order: results come back in it

    def feed() -> Iterator[list]:
        for batch in batches(items, site=site):
            fed.append(batch)
            yield batch

    def finish(job: _Job) -> None:
        stats = job.future.result()
        job.done = True
        stored(job.docs, stats)

    results = LocalExecutor(workers).map(step, feed())
    writer = ThreadPoolExecutor(1, thread_name_prefix="thresher-writer")
    pending: _Job | None = None
    interrupted = False
    try:
        for docs in results:
            batch = fed.popleft()
            if pending is not None:
                finish(pending)
            pending = _Job(batch, docs, writer.submit(write, docs, batch))
        if pending is not None:
            finish(pending)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with sigint_ignored():
            results.close()  # shuts the worker pool down, if it is still up
            writer.shutdown(wait=True)  # the batch being written is finished, never half-written
    if interrupted and pending is not None and not pending.done and pending.future.exception() is None:
        finish(pending)  # it was written: count it
    return not interrupted


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
    keep_raw: bool = False,
    languages: str | Iterable[str] | None = None,
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
    a directory walk reads (``sources.files.PAGE_EXTENSIONS``). With
    ``keep_raw`` each page is also stored as read, compressed, for
    ``reprocess``. With ``languages`` (ISO 639-1 codes), articles in other
    languages (or in none detected) are not stored, only counted: see
    ``_in_languages``. Ctrl-C ends the run cleanly with ``report.interrupted``
    set; the same call again resumes it.
    """
    store.check_writable()
    if workers == 1:  # the pages are extracted here: the models load while the run starts
        preload()
    wanted = language_set(languages)
    step = Step(config, site)  # loads the models: a bad config fails here, before any input is read
    report = IngestReport(other_languages=None if wanted is None else 0)
    start = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    total = input_bytes(inputs, extensions) if show else None
    bar = Progress(show, total=total, unit="B", desc="read")

    def fresh(items):
        # skip what is stored already, a chunk at a time (one query per chunk)
        chunk: list = []
        for item in items:
            report.inputs += 1
            chunk.append(item)
            bar.moved_to(report.tally.bytes_read)
            if len(chunk) >= BATCH_SIZE:
                yield from _unknown(store, chunk, report, retry_failed)
                chunk = []
        yield from _unknown(store, chunk, report, retry_failed)

    def known(source: str) -> bool:
        # a URL already stored is not fetched again, but it is an input of the run
        if store.known([source], retry_failed=retry_failed):
            report.inputs += 1
            report.stats.skipped += 1
            return True
        return False

    items = open_inputs(
        inputs, url_files=url_files, fetch_policy=fetch_policy, skip=known, extensions=extensions,
        tally=report.tally, on_url=bar.fetching, max_bytes=step.config.max_input_bytes,
    )  # fmt: skip

    def write(docs: list[Document], batch: list) -> BatchStats:  # on the writer thread, the only one to count languages
        return store.write_batch(_in_languages(docs, wanted, report), batch, keep_raw=keep_raw)

    def stored(docs: list[Document], stats: BatchStats) -> None:
        report.stats.merge(stats)
        bar.stored(report.stats.added, sum(report.stats.failures.values()), report.stats.duplicates)
        if strict and stats.failures:
            first = next(d for d in docs if d.status == "failed")
            raise IngestFailure(f"{first.source}: {first.stage}: {first.reason}")

    try:
        report.interrupted = not run_batches(fresh(items), step, workers=workers, site=site, write=write, stored=stored)
    finally:
        bar.close()
        report.seconds = time.perf_counter() - start
    return report


def _in_languages(docs: list[Document], languages: frozenset[str] | None, report: IngestReport) -> list[Document]:
    """The documents to store under a language filter: articles in the ``languages``,
    and every empty page and failure (what is not an article has no language
    to judge). The others are counted in the report, and not stored: the
    store holds what was asked for, and a later run for their language adds
    them (they are read and extracted again each run)."""
    if languages is None:
        return docs
    kept = [d for d in docs if d.status != "ok" or d.meta.language in languages]
    report.other_languages += len(docs) - len(kept)
    return kept


def _language_line(left_out: int | None) -> list[str]:
    return [] if left_out is None else [f"languages:   {left_out} articles in other languages, not stored"]


def _unknown(store: Store, chunk: list, report: IngestReport, retry_failed: bool) -> list:
    if not chunk:
        return []
    known = store.known((item.source for item in chunk), retry_failed=retry_failed)
    report.stats.skipped += sum(1 for item in chunk if item.source in known)
    return [item for item in chunk if item.source not in known]


class IngestFailure(ThresherError):
    """Raised in strict mode at the first input that failed."""
