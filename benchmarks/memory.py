"""Memory-growth check: run an extractor over the bench pages, cycled, and watch RSS.

    python benchmarks/memory.py [--pages 10000] [--every 1000] [--threshold-mb 50]
                                [--pool N] [--datasets NAME ...] [--tool thresher]

The pages (or the first ``--pool`` of them, in (dataset, id) order) are loaded
once, before the loop, so the page data itself does not grow during the run.
Every ``--every`` pages the script runs gc.collect() and prints the resident set
size (current RSS from /proc/self/statm, peak from getrusage). Growth is
measured from the checkpoint at page ``--every`` (the first one, after the
extractor's caches and the allocator have warmed up) to the end.

Exit status: 0 if growth <= threshold, 1 if it exceeds the threshold,
2 if the run could not be done (extractor missing, no pages, bad arguments).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import Page, iter_pages, resolve_bench_dir  # noqa: E402
from benchmarks.tools import TOOL_NAMES, Tool, ToolUnavailable, load_tool, run_tool  # noqa: E402

MB = 1024 * 1024
DEFAULT_THRESHOLD_MB = 50.0


class Checkpoint(NamedTuple):
    pages: int
    rss_mb: float
    peak_mb: float
    seconds: float


def current_rss_bytes() -> int:
    """Resident set size now: /proc/self/statm where it exists, else the peak (getrusage)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            resident_pages = int(fh.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def checkpoint(pages: int, started: float) -> Checkpoint:
    gc.collect()
    return Checkpoint(pages, current_rss_bytes() / MB, peak_rss_bytes() / MB, time.perf_counter() - started)


def growth_mb(points: Sequence[Checkpoint]) -> float:
    """RSS at the last checkpoint minus RSS at the first (0 with fewer than two)."""
    return points[-1].rss_mb - points[0].rss_mb if len(points) >= 2 else 0.0


class RunResult(NamedTuple):
    points: list[Checkpoint]
    errors: int
    first_error: str | None


def run(tool: Tool, pool: Sequence[Page], total: int, every: int) -> RunResult:
    """Run ``tool`` on ``total`` pages cycled from ``pool``, checkpointing every ``every``."""
    points: list[Checkpoint] = []
    errors = 0
    first_error: str | None = None
    started = time.perf_counter()
    for n, page in enumerate(itertools.islice(itertools.cycle(pool), total), start=1):
        error = run_tool(tool, page.html, page.url).error
        if error:
            errors += 1
            first_error = first_error or f"{page.dataset}/{page.id}: {error}"
        if n % every == 0 or n == total:
            point = checkpoint(n, started)
            points.append(point)
            print(
                f"{point.pages:>8} pages  RSS {point.rss_mb:8.1f} MB  peak {point.peak_mb:8.1f} MB  "
                f"{point.seconds:7.1f} s  errors {errors}",
                flush=True,
            )
    return RunResult(points, errors, first_error)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10000, help="pages to run in total (default 10000)")
    ap.add_argument("--every", type=int, default=1000, help="checkpoint interval in pages (default 1000)")
    ap.add_argument(
        "--threshold-mb",
        type=float,
        default=DEFAULT_THRESHOLD_MB,
        help=f"max allowed RSS growth after the first checkpoint (default {DEFAULT_THRESHOLD_MB:g})",
    )
    ap.add_argument("--pool", type=int, default=None, help="cycle only the first N pages (default: all)")
    ap.add_argument("--datasets", nargs="+", metavar="NAME", help="datasets to draw pages from (default: all)")
    ap.add_argument("--tool", default="thresher", choices=TOOL_NAMES, help="extractor to check (default thresher)")
    ap.add_argument(
        "--bench-dir",
        metavar="DIR",
        help="directory of *.jsonl.gz gold files (default: $THRESHER_BENCH_DIR or ../shared/bench)",
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.pages < 1 or args.every < 1:
        print("error: --pages and --every must be positive", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    try:
        tool = load_tool(args.tool)
    except ToolUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    datasets = [d for value in args.datasets or () for d in value.split(",") if d] or None
    try:
        pages = iter_pages(resolve_bench_dir(args.bench_dir), datasets)
        pool = list(itertools.islice(pages, args.pool) if args.pool else pages)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not pool:
        print("error: no pages", file=sys.stderr)
        return 2
    if args.pages < 2 * args.every:
        print(
            f"warning: fewer than two checkpoints after warm-up; raise --pages above {2 * args.every}", file=sys.stderr
        )

    print(
        f"{tool.name} {tool.version}: {args.pages} pages cycled from {len(pool)} loaded pages; "
        f"RSS after gc.collect() every {args.every} pages"
    )
    start = checkpoint(0, time.perf_counter())
    print(f"{0:>8} pages  RSS {start.rss_mb:8.1f} MB  (pages loaded, before the first call)")
    result = run(tool, pool, args.pages, args.every)
    if result.first_error:
        print(f"{result.errors} of {args.pages} calls raised; first: {result.first_error}")
    if result.errors == args.pages:
        print("error: every call raised, so the memory figures mean nothing", file=sys.stderr)
        return 2
    grown = growth_mb(result.points)
    verdict = "OK" if grown <= args.threshold_mb else "FAIL"
    print(
        f"growth from page {result.points[0].pages} to {result.points[-1].pages}: {grown:+.1f} MB "
        f"(threshold {args.threshold_mb:g} MB): {verdict}"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
