"""Accuracy and single-core speed of thresher, trafilatura and readability, side by side.

    python benchmarks/run.py [--datasets NAME ...] [--limit N]
                             [--tools thresher,trafilatura,readability,thresher-text,trafilatura-meta]
                             [--markdown] [--json out.json] [--bench-dir DIR]

All tools run in one process on the same pages, interleaved: for each page
(sorted by dataset, id) every tool runs once, the tool order rotating from page
to page so no tool is always first. Only each tool's extraction call is timed
(time.perf_counter). The process is pinned to one CPU, so docs/s is one-core
throughput. thresher's default call also extracts metadata, trafilatura's does
not: two timed-only variants (``thresher-text``, ``trafilatura-meta``) give the
ratio for the same work both ways. See benchmarks/README.md for the metrics.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import (  # noqa: E402
    Page,
    SnippetCounts,
    iter_pages,
    resolve_bench_dir,
    snippet_counts,
    snippet_scores,
    sum_counts,
    token_f1,
)
from benchmarks.tools import TOOL_NAMES, Tool, ToolUnavailable, load_tool, run_tool  # noqa: E402

T = TypeVar("T")

ALL_GOLD = "all pages with gold"
PROGRESS_EVERY = 250


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class PageResult:
    """One tool on one page. ``f1``/``precision``/``recall`` are None for a page
    without full gold; ``snippets`` is None for a page without snippets."""

    dataset: str
    page_id: str
    tool: str
    seconds: float
    chars: int
    error: str | None
    precision: float | None
    recall: float | None
    f1: float | None
    snippets: SnippetCounts | None
    commented: bool = False  # the page labels reader comments (extra.comments)


#: The row of the pages that carry reader comments (a subset of their datasets).
WITH_COMMENTS = "pages with comments"


def score_page(page: Page, tool: str, text: str, seconds: float, error: str | None) -> PageResult:
    p = r = f = None
    if page.has_gold:
        p, r, f = token_f1(text, page.gold)
    snippets = snippet_counts(text, page.with_, page.without) if page.has_snippets else None
    commented = bool(page.extra.get("comments"))
    return PageResult(page.dataset, page.id, tool, seconds, len(text), error, p, r, f, snippets, commented)


def rotated(items: Sequence[T], shift: int) -> list[T]:
    """``items`` rotated left by ``shift`` (mod len)."""
    if not items:
        return []
    k = shift % len(items)
    return [*items[k:], *items[:k]]


def warm_up(tools: Sequence[Tool], page: Page) -> None:
    """Run each tool once, untimed, so one-off lazy imports and caches filled on
    the first call are not charged to the first page."""
    for tool in tools:
        run_tool(tool, page.html, page.url)


def run_pages(pages: Iterable[Page], tools: Sequence[Tool], progress: bool = True) -> list[PageResult]:
    """Every tool on every page, interleaved with a rotating tool order
    (after an untimed warm-up of every tool on the first page)."""
    results: list[PageResult] = []
    started = time.perf_counter()
    for i, page in enumerate(pages):
        if i == 0:
            warm_up(tools, page)
        for tool in rotated(tools, i):
            outcome = run_tool(tool, page.html, page.url)
            results.append(score_page(page, tool.name, outcome.text, outcome.seconds, outcome.error))
        if progress and (i + 1) % PROGRESS_EVERY == 0:
            elapsed = time.perf_counter() - started
            print(f"  {i + 1} pages ({page.dataset}), {elapsed:.0f} s", file=sys.stderr, flush=True)
    return results


def run_passes(pages: Iterable[Page], tools: Sequence[Tool], progress: bool = True) -> list[PageResult]:
    """Each tool alone over every page, in two whole passes (tool order A B C,
    then C B A), as real use runs one tool over many pages: a tool's working
    set stays in the CPU caches, which page-by-page interleaving evicts. Each
    page's time is the mean of its two passes; its text is the first pass's."""
    pages = list(pages)
    if pages:
        warm_up(tools, pages[0])
    first: dict[tuple[str, int], PageResult] = {}
    for order in (list(tools), list(reversed(tools))):
        for tool in order:
            started = time.perf_counter()
            for i, page in enumerate(pages):
                outcome = run_tool(tool, page.html, page.url)
                key = (tool.name, i)
                if key in first:
                    r = first[key]
                    first[key] = replace(r, seconds=(r.seconds + outcome.seconds) / 2)
                else:
                    first[key] = score_page(page, tool.name, outcome.text, outcome.seconds, outcome.error)
            if progress:
                print(f"  {tool.name}: {len(pages)} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return [first[(tool.name, i)] for i in range(len(pages)) for tool in tools]


# --------------------------------------------------------------------------- aggregation


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _docs_per_s(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _group(results: Iterable[PageResult], dataset: str | None, tool: str) -> list[PageResult]:
    return [r for r in results if r.tool == tool and (dataset is None or r.dataset == dataset)]


def token_summary(rows: Sequence[PageResult], dataset: str, tool: str) -> dict[str, Any]:
    """Token-F1 summary of one tool's results (already filtered) on pages with gold."""
    scored = [r for r in rows if r.f1 is not None]
    f1s = [r.f1 for r in scored if r.f1 is not None]
    return {
        "dataset": dataset,
        "tool": tool,
        "metric": "token_f1",
        "pages": len(scored),
        "f1_mean": _mean(f1s),
        "f1_median": _median(f1s),
        "precision_mean": _mean([r.precision for r in scored if r.precision is not None]),
        "recall_mean": _mean([r.recall for r in scored if r.recall is not None]),
        "errors": sum(1 for r in rows if r.error),
        "empty": sum(1 for r in rows if r.chars == 0),
        "pages_run": len(rows),
        "seconds": sum(r.seconds for r in rows),
        "docs_per_s": _docs_per_s(len(rows), sum(r.seconds for r in rows)),
    }


def snippet_summary(rows: Sequence[PageResult], dataset: str, tool: str) -> dict[str, Any]:
    """Snippet-metric summary (counts pooled over the dataset) of one tool's results."""
    with_snippets = [r for r in rows if r.snippets is not None]
    counts = sum_counts(r.snippets for r in with_snippets if r.snippets is not None)
    scores = snippet_scores(counts)
    page_f1s = [f for f in (_page_snippet_f1(r.snippets) for r in with_snippets) if f is not None]
    return {
        "dataset": dataset,
        "tool": tool,
        "metric": "snippets",
        "pages": len(with_snippets),
        **counts._asdict(),
        **scores._asdict(),
        "page_f1_mean": _mean(page_f1s),
        "errors": sum(1 for r in rows if r.error),
        "empty": sum(1 for r in rows if r.chars == 0),
        "pages_run": len(rows),
        "seconds": sum(r.seconds for r in rows),
        "docs_per_s": _docs_per_s(len(rows), sum(r.seconds for r in rows)),
    }


def _page_snippet_f1(counts: SnippetCounts | None) -> float | None:
    """2TP / (2TP + FP + FN) of one page; None when that is 0/0."""
    if counts is None:
        return None
    denom = 2 * counts.tp + counts.fp + counts.fn
    return 2 * counts.tp / denom if denom else None


def speed_summary(results: Sequence[PageResult], tools: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for tool in tools:
        mine = _group(results, None, tool)
        seconds = sum(r.seconds for r in mine)
        rows.append(
            {
                "tool": tool,
                "pages": len(mine),
                "seconds": seconds,
                "docs_per_s": _docs_per_s(len(mine), seconds),
                "ms_per_doc": 1000 * seconds / len(mine) if mine else float("nan"),
                "errors": sum(1 for r in mine if r.error),
            }
        )
    base = next((r["docs_per_s"] for r in rows if r["tool"] == "trafilatura"), None)
    for row in rows:
        row["vs_trafilatura"] = row["docs_per_s"] / base if base else None
    return rows


def datasets_in(results: Sequence[PageResult]) -> list[str]:
    return sorted({r.dataset for r in results})


def summarize(
    results: Sequence[PageResult], tools: Sequence[str], speed_only: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Token-F1 rows (per dataset with gold, then pooled), snippet rows, speed
    rows; the ``speed_only`` tools appear in the speed rows alone."""
    speed_tools = list(tools)
    tools = [t for t in tools if t not in speed_only]
    token_rows: list[dict[str, Any]] = []
    snippet_rows: list[dict[str, Any]] = []
    gold_sets = [d for d in datasets_in(results) if any(r.f1 is not None for r in results if r.dataset == d)]
    for dataset in datasets_in(results):
        for tool in tools:
            rows = _group(results, dataset, tool)
            if dataset in gold_sets:
                token_rows.append(token_summary(rows, dataset, tool))
            if any(r.snippets is not None for r in rows):
                snippet_rows.append(snippet_summary(rows, dataset, tool))
    for tool in tools:
        commented = [r for r in _group(results, None, tool) if r.commented and r.f1 is not None]
        if commented:  # comments excluded on every side: the gold is the article alone
            token_rows.append(token_summary(commented, WITH_COMMENTS, tool))
    if len(gold_sets) > 1:
        for tool in tools:
            pooled = [r for r in _group(results, None, tool) if r.dataset in gold_sets]
            token_rows.append(token_summary(pooled, ALL_GOLD, tool))
    return {"token_f1": token_rows, "snippets": snippet_rows, "speed": speed_summary(results, speed_tools)}


# --------------------------------------------------------------------------- rendering


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.{digits}f}"
    return str(value)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool, labels: int = 2) -> str:
    """A text table: the first ``labels`` columns left-aligned, the rest right-aligned."""
    if markdown:
        rule = ["---"] * labels + ["---:"] * (len(headers) - labels)
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < labels else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def token_table(rows: Sequence[dict[str, Any]], markdown: bool) -> str:
    headers = ["dataset", "tool", "pages", "F1 mean", "F1 median", "P mean", "R mean", "errors", "empty", "docs/s"]
    body = [
        [
            r["dataset"],
            r["tool"],
            str(r["pages"]),
            _fmt(r["f1_mean"]),
            _fmt(r["f1_median"]),
            _fmt(r["precision_mean"]),
            _fmt(r["recall_mean"]),
            str(r["errors"]),
            str(r["empty"]),
            _fmt(r["docs_per_s"], 1),
        ]
        for r in rows
    ]
    return render_table(headers, body, markdown)


def snippet_table(rows: Sequence[dict[str, Any]], markdown: bool) -> str:
    headers = [
        "dataset",
        "tool",
        "pages",
        "TP",
        "FN",
        "FP",
        "TN",
        "P",
        "R",
        "F1",
        "accuracy",
        "page-F1 mean",
        "errors",
        "docs/s",
    ]
    body = [
        [
            r["dataset"],
            r["tool"],
            str(r["pages"]),
            str(r["tp"]),
            str(r["fn"]),
            str(r["fp"]),
            str(r["tn"]),
            _fmt(r["precision"]),
            _fmt(r["recall"]),
            _fmt(r["f1"]),
            _fmt(r["accuracy"]),
            _fmt(r["page_f1_mean"]),
            str(r["errors"]),
            _fmt(r["docs_per_s"], 1),
        ]
        for r in rows
    ]
    return render_table(headers, body, markdown)


def speed_table(rows: Sequence[dict[str, Any]], markdown: bool) -> str:
    headers = ["tool", "pages", "seconds", "ms/doc", "docs/s", "docs/s vs trafilatura", "errors"]
    body = [
        [
            r["tool"],
            str(r["pages"]),
            _fmt(r["seconds"], 1),
            _fmt(r["ms_per_doc"], 1),
            _fmt(r["docs_per_s"], 1),
            "-" if r["vs_trafilatura"] is None else f"{r['vs_trafilatura']:.2f}x",
            str(r["errors"]),
        ]
        for r in rows
    ]
    return render_table(headers, body, markdown, labels=1)


def render_report(summary: dict[str, list[dict[str, Any]]], meta: dict[str, Any], markdown: bool) -> str:
    h = "### " if markdown else "== "
    parts = [_render_meta(meta, markdown)]
    if summary["token_f1"]:
        parts += [
            f"{h}Token F1 (datasets with full gold text)",
            "Metric: lower-cased \\w+ tokens of output and gold compared as multisets; per page "
            "P = shared/output tokens, R = shared/gold tokens; mean and median over pages. "
            f'"{ALL_GOLD}" pools every page of these datasets. '
            "errors = exceptions (scored as empty output); empty = pages with no output at all.",
            token_table(summary["token_f1"], markdown),
        ]
    if summary["snippets"]:
        parts += [
            f"{h}Snippet metric (trafilatura's evaluation: `with`/`without` snippets)",
            "Metric: a `with` snippet found in the output (whitespace-normalised, case-sensitive substring) "
            "is a TP, missing a FN; a `without` snippet found is a FP, absent a TN; P, R, F1 and accuracy "
            "from counts pooled over the dataset; page-F1 mean = mean over pages of 2TP/(2TP+FP+FN). "
            "Primary metric for datasets without full gold (trafilatura_eval); for others it is a second view.",
            snippet_table(summary["snippets"], markdown),
        ]
    parts += [f"{h}Speed (all pages run, one core)", speed_table(summary["speed"], markdown)]
    ratios = _speed_ratios(summary["speed"])
    if ratios:
        parts.append("\n".join(f"{'- ' if markdown else ''}{label} (docs/s): {ratio:.2f}" for label, ratio in ratios))
    parts.append(f"Wall time: {meta['wall_seconds']:.0f} s")
    return "\n\n".join(parts) + "\n"


#: (label, thresher's tool, trafilatura's tool): the default calls, then the
#: same work on both sides (text only; text and metadata).
SPEED_PAIRS = (
    ("thresher/trafilatura speed ratio, default calls", "thresher", "trafilatura"),
    ("same work, text only: thresher-text/trafilatura", "thresher-text", "trafilatura"),
    ("same work, text and metadata: thresher/trafilatura-meta", "thresher", "trafilatura-meta"),
)


def _speed_ratios(speed_rows: Sequence[dict[str, Any]]) -> list[tuple[str, float]]:
    by_tool = {r["tool"]: r["docs_per_s"] for r in speed_rows}
    return [(label, by_tool[a] / by_tool[b]) for label, a, b in SPEED_PAIRS if a in by_tool and by_tool.get(b)]


def _render_meta(meta: dict[str, Any], markdown: bool) -> str:
    cpu = meta["pinned_cpu"]
    pin = (
        f"Process pinned to CPU {cpu} (one core): docs/s is single-core throughput."
        if cpu is not None
        else "Process NOT pinned to one core (no sched_setaffinity or --no-pin)."
    )
    tools = ", ".join(f"{t['name']} {t['version']}" for t in meta["tools"])
    lines = [
        f"thresher benchmark: {meta['pages']} pages from {meta['bench_dir']}, in (dataset, id) order; "
        "pages with extra.gold_coverage < 0.5 skipped.",
        pin,
        f"Timing: {meta.get('timing', 'tools interleaved page by page')}.",
        f"Tools: {tools}; Python {meta['python']}.",
        "Per dataset: "
        + "; ".join(
            f"{d['dataset']} {d['pages']} pages ({d['with_gold']} with gold, {d['with_snippets']} with snippets)"
            for d in meta["datasets"]
        )
        + ".",
    ]
    lines += [f"Skipped: {s}" for s in meta["skipped_tools"]]
    lines += [f"Errors ({tool}): {note}" for tool, note in meta.get("errors", {}).items()]
    if markdown:
        return "\n".join(f"- {line}" for line in lines)
    return "\n".join(lines)


# --------------------------------------------------------------------------- setup


def pin_to_one_core() -> int | None:
    """Pin this process to its first allowed CPU; the CPU number, or None if unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def load_tools(names: Sequence[str]) -> tuple[list[Tool], list[str]]:
    """(tools that loaded, notes about skipped ones). thresher may be missing
    (warning, skipped); a missing reference tool is an error."""
    tools: list[Tool] = []
    skipped: list[str] = []
    for name in names:
        try:
            tools.append(load_tool(name))
        except ToolUnavailable as exc:
            if not name.startswith("thresher"):
                raise
            skipped.append(f"{name} ({exc})")
    return tools, skipped


def first_errors(results: Sequence[PageResult]) -> dict[str, str]:
    """For each tool that raised: its error count and the first page/exception."""
    out: dict[str, str] = {}
    for r in results:
        if r.error and r.tool not in out:
            n = sum(1 for x in results if x.tool == r.tool and x.error)
            out[r.tool] = f"{n} errors, first on {r.dataset}/{r.page_id}: {r.error}"
    return out


def dataset_meta(results: Sequence[PageResult], first_tool: str) -> list[dict[str, Any]]:
    rows = []
    for dataset in datasets_in(results):
        mine = _group(results, dataset, first_tool)
        rows.append(
            {
                "dataset": dataset,
                "pages": len(mine),
                "with_gold": sum(1 for r in mine if r.f1 is not None),
                "with_snippets": sum(1 for r in mine if r.snippets is not None),
            }
        )
    return rows


def _split_list(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v for value in values for v in value.split(",") if v]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="datasets to run (file stems, space or comma separated; default: all)",
    )
    ap.add_argument("--limit", type=int, default=None, metavar="N", help="first N pages (by id) of each dataset")
    ap.add_argument(
        "--tools", default=",".join(TOOL_NAMES), help=f"comma-separated, from {','.join(TOOL_NAMES)} (default: all)"
    )
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--json", metavar="PATH", help="also write the summary and per-page results as JSON")
    ap.add_argument(
        "--bench-dir",
        metavar="DIR",
        help="directory of *.jsonl.gz gold files (default: $THRESHER_BENCH_DIR or ../shared/bench)",
    )
    ap.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    ap.add_argument(
        "--passes",
        action="store_true",
        help="time each tool alone over all pages, two passes in opposite tool orders (as tools are used), "
        "instead of interleaving the tools page by page",
    )
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return ap.parse_args(argv)


def write_json(path: str, summary: dict[str, Any], meta: dict[str, Any], results: Sequence[PageResult]) -> None:
    pages = []
    for r in results:
        row = asdict(r)
        row["snippets"] = r.snippets._asdict() if r.snippets is not None else None
        pages.append(row)
    payload = _finite({"meta": meta, "summary": summary, "pages": pages})
    Path(path).write_text(json.dumps(payload, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def _finite(value: Any) -> Any:
    """``value`` with every NaN float replaced by None (strict JSON has no NaN)."""
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = _split_list([args.tools]) or list(TOOL_NAMES)
    unknown = [n for n in names if n not in TOOL_NAMES]
    if unknown:
        print(f"error: unknown tool(s) {unknown}; known: {', '.join(TOOL_NAMES)}", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # the tools' own warnings would drown the report
    try:
        tools, skipped = load_tools(names)
    except ToolUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in skipped:
        print(f"warning: skipping {note}", file=sys.stderr)
    if not tools:
        print("error: no tool to run", file=sys.stderr)
        return 2

    bench_dir = resolve_bench_dir(args.bench_dir)
    cpu = None if args.no_pin else pin_to_one_core()
    wall_start = time.perf_counter()
    try:
        pages = iter_pages(bench_dir, _split_list(args.datasets), args.limit)
        results = (run_passes if args.passes else run_pages)(pages, tools, progress=not args.quiet)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - wall_start

    tool_names = [t.name for t in tools]
    summary = summarize(results, tool_names, [t.name for t in tools if t.speed_only])
    meta = {
        "bench_dir": str(bench_dir),
        "pages": len(results) // len(tools),
        "pinned_cpu": cpu,
        "timing": "two whole passes per tool (A B C, C B A)" if args.passes else "tools interleaved page by page",
        "python": platform.python_version(),
        "tools": [{"name": t.name, "version": t.version, "origin": t.origin} for t in tools],
        "skipped_tools": skipped,
        "datasets": dataset_meta(results, tool_names[0]),
        "limit_per_dataset": args.limit,
        "errors": first_errors(results),
        "wall_seconds": wall,
    }
    print(render_report(summary, meta, args.markdown))
    if args.json:
        write_json(args.json, summary, meta, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
