"""Reprocess: the stored documents extracted again with the current model and config.

    plan (documents made by another model or config) --pages--> Raw --run_batches--> Store.replace_documents
        --> Store.relink (every duplicate link made again)

A corpus made with today's model can thus be improved by a better one. Each
document's page is read again from where it came from, or from the copy kept
by ``ingest --keep-raw``:

- the raw copy first, when there is one: it is the very page the document was
  made from, whatever became of the source since;
- else the source: a file (``path``), a WARC record or a JSONL line
  (``path#offset``, ``path#line``), read by the same readers as ingest, so the
  keys match exactly whatever the file's compression. A container is read
  once, in order, for all of its documents, and no further than the last one;
- a URL or stdin without a raw copy cannot be read again: such documents are
  counted and kept as they are, and so are those whose source is gone or no
  longer holds the same page (its digest, ``documents.raw_digest``, differs).

Nothing is lost: a document is replaced only by a successful re-extraction,
one batch per transaction. The duplicate links are then made again for the
whole store (``Store.relink``), so the store is the one a fresh ingest with
the new config would have made. A reprocess stopped midway (Ctrl-C) leaves
the store readable, with the links marked pending; running it again goes on
with the documents not yet current, then relinks.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..config import Config
from .failures import top_reasons
from .ingest import Progress, run_batches
from .process import Step, provenance
from .sources import Failure, Raw, is_url
from .sources.files import read_file
from .store import Document, ReplaceStats, Store, page_digest

__all__ = ["ReprocessReport", "reprocess"]


@dataclass(slots=True)
class ReprocessReport:
    planned: int = 0  # documents not made by the current model and config (all of them with everything=True)
    current: int = 0  # left: made by the current model and config already
    stats: ReplaceStats = field(default_factory=ReplaceStats)
    unavailable: Counter[str] = field(default_factory=Counter)  # kept as they are, by why: no page to read
    duplicates_before: int = 0
    duplicates: int | None = None  # after relinking (None: not relinked)
    seconds: float = 0.0
    interrupted: bool = False

    def lines(self) -> list[str]:
        s = self.stats
        why = ", ".join(f"{k} {v}" for k, v in top_reasons(self.unavailable))
        dups = "not relinked" if self.duplicates is None else f"{self.duplicates} after relinking"
        return [
            f"documents:   {self.planned} to reprocess, {self.current} made by this model and config already",
            f"reprocessed: {s.replaced}: {s.ok} articles, {s.replaced - s.ok} without article text; "
            f"{s.changed} with a new text",
            f"kept:        {s.kept + sum(self.unavailable.values())} as they were: {s.kept} failed again"
            + (f", not reprocessable: {why}" if why else ""),
            f"duplicates:  {self.duplicates_before} before, {dups}",
            f"time:        {self.seconds:.1f} s",
        ]


def reprocess(
    store: Store,
    *,
    config: Config | None = None,
    site: str | None = None,
    workers: int = 1,
    progress: bool | None = None,
    everything: bool = False,
) -> ReprocessReport:
    """Extract the documents of ``store`` again with ``config`` and relink the duplicates.

    Documents made by the current model and config already are left, unless
    ``everything``; ``site`` is ingest's (site memory across the text dumps).
    Ctrl-C ends the run cleanly with ``report.interrupted`` set (the links are
    not made again then: the next reprocess does it).
    """
    store.check_writable()
    step = Step(config, site)
    config = step.config
    plan, current = store.reprocess_plan(*provenance(config), everything=everything)
    report = ReprocessReport(planned=len(plan), current=current)
    report.duplicates_before = store.stats()["duplicates"]
    start = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(show, total=len(plan), unit=" docs", desc="reprocess")
    seen = 0

    def pages() -> Iterator[Raw | Failure]:
        nonlocal seen
        for page in _pages(store, plan, report.unavailable, config.max_input_bytes):
            seen += 1
            bar.moved_to(seen + sum(report.unavailable.values()))
            yield page

    def stored(docs: list[Document], stats: ReplaceStats) -> None:
        report.stats.merge(stats)
        bar.stored(report.stats.replaced, report.stats.kept, 0)

    def write(docs: list[Document], batch: list) -> ReplaceStats:
        return store.replace_documents(docs)

    try:
        done = run_batches(pages(), step, workers=workers, site=site, write=write, stored=stored)
        report.interrupted = not done
        if done and (report.stats.replaced or store.relink_pending):
            report.duplicates = store.relink()
    finally:
        bar.close()
        report.seconds = time.perf_counter() - start
    return report


def _where(store: Store, source: str) -> str | None:
    """The file to read ``source``'s page from, ``""`` for the raw copy, ``None`` for nowhere."""
    if store.has_raw(source):
        return ""
    if os.path.isfile(source):
        return source
    container, _, record = source.rpartition("#")
    if container and record.replace(".", "").isdigit() and os.path.isfile(container):
        return container
    return None


def _pages(
    store: Store, plan: list[tuple[int, str, str | None]], unavailable: Counter[str], max_bytes: int
) -> Iterator[Raw | Failure]:
    """The page of each planned document, in plan order; those that cannot be had are
    counted in ``unavailable`` by why. Runs of documents from one file read it once."""
    entries = [(doc_id, source, digest, _where(store, source)) for doc_id, source, digest in plan]
    for where, run in itertools.groupby(entries, key=lambda e: e[3]):
        run = list(run)
        if where is None:
            for _, source, _, _ in run:
                unavailable[_unavailable(source)] += 1
        elif where == "":
            for _, source, _, _ in run:
                raw = store.raw(source)
                if raw is not None:
                    yield raw
        else:
            yield from _from_file(where, {source: digest for _, source, digest, _ in run}, unavailable, max_bytes)


def _unavailable(source: str) -> str:
    if is_url(source):
        return "URL without a raw copy"
    if source.startswith("<stdin>"):
        return "stdin without a raw copy"
    return "source gone"


def _from_file(
    path: str, wanted: dict[str, str | None], unavailable: Counter[str], max_bytes: int
) -> Iterator[Raw | Failure]:
    """The pages of ``wanted`` (source -> digest) that ``path`` still holds, read no
    further than the last; a page whose digest differs is the source's no longer. A
    page the reader refuses now (over ``max_bytes``, unreadable) is its ``Failure``:
    it fails again, and its document is kept."""
    left = dict(wanted)
    for item in read_file(path, max_bytes=max_bytes):
        digest = left.pop(item.source, False)
        if digest is False:
            continue
        if isinstance(item, Failure):
            yield item
        elif digest is not None and page_digest(item.content) != digest:
            unavailable["source changed"] += 1
        else:
            yield item
        if not left:
            return
    unavailable["source gone"] += len(left)
