"""Metadata accuracy and cost: thresher beside trafilatura and htmldate, in one process.

    python benchmarks/run_meta.py [--datasets wcxb_dev,trafilatura_eval] [--limit N] [--markdown]

For every page with a gold value the three fields are scored:

- headline: normalised exact match (case-folded, punctuation and spacing ignored);
- publication date: same day (the first 10 characters of the ISO dates agree);
- authors: the same set of names (each side split on , ; & "and" "und", normalised);
- title_lines (dragnet_train, 2012 news and blogs, whose gold is the article
  with its headline and byline lines but names no title): the headline is
  one of the gold text's first ``GOLD_TITLE_LINES`` lines (normalised). A
  proxy for old news layouts: a date or a byline line may come first, so it
  never reaches 1.0, but a site suffix, a section label or a blog's name
  never matches.

A page without a gold value for a field does not count for that field. The cost
of metadata is thresher's extraction time with ``Config(metadata=True)`` over
the time with ``metadata=False``, measured on the same pages, interleaved.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import META_FIELDS, iter_pages, meta_correct, meta_gold, norm_title, resolve_bench_dir
from run import pin_to_one_core, render_table

import thresher

FIELDS = (*META_FIELDS, "title_lines")
#: Datasets whose gold text starts with the headline (and names no title).
LINE_TITLE_DATASETS = ("dragnet_train",)
#: The headline is among this many first lines of the gold (a kicker, a
#: date or a byline line may stand above it).
GOLD_TITLE_LINES = 3


def page_golds(page) -> dict:
    golds = {f: meta_gold(page.extra, f) for f in META_FIELDS}
    golds["title_lines"] = page.gold if page.dataset in LINE_TITLE_DATASETS and page.gold else None
    return golds


def correct(field: str, gold, got) -> bool:
    if field == "title_lines":
        return norm_title(got) in {norm_title(line) for line in gold.split("\n")[:GOLD_TITLE_LINES]}
    return meta_correct(field, gold, got)


def run_thresher(ex, page):
    a = ex.extract(page.html, page.url)
    return {"title": a.title, "title_lines": a.title, "date": a.published, "authors": a.authors}


def make_reference_tools():
    tools = {}
    try:
        import trafilatura

        def traf(page):
            doc = trafilatura.extract_metadata(page.html, default_url=page.url)
            if doc is None:
                return {"title": None, "title_lines": None, "date": None, "authors": None}
            return {"title": doc.title, "title_lines": doc.title, "date": doc.date, "authors": doc.author}

        tools["trafilatura"] = traf
    except ImportError:
        print("trafilatura not installed: pip install -e '.[bench]'", file=sys.stderr)
    try:
        from htmldate import find_date

        def htmldate(page):
            return {"date": find_date(page.html, url=page.url, original_date=True)}

        tools["htmldate"] = htmldate
    except ImportError:
        print("htmldate not installed: pip install -e '.[bench]'", file=sys.stderr)
    return tools


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir")
    ap.add_argument("--datasets", default="wcxb_dev,trafilatura_eval,readability,dragnet_train")
    ap.add_argument("--limit", type=int, default=None, help="pages per dataset")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--errors", metavar="FIELD", help="print thresher's misses on FIELD")
    ap.add_argument("--no-refs", action="store_true", help="thresher only (accuracy and cost), no reference tools")
    args = ap.parse_args(argv)
    cpu = pin_to_one_core()

    with_meta = thresher.Extractor()
    bare = thresher.Extractor(thresher.Config(metadata=False), model=with_meta.model)
    refs = {} if args.no_refs else make_reference_tools()
    hits = defaultdict(lambda: [0, 0])  # (dataset, field, tool) -> [correct, total]
    seconds = defaultdict(float)
    pages = list(iter_pages(resolve_bench_dir(args.bench_dir), args.datasets.split(","), args.limit))
    warm = pages[0]
    run_thresher(with_meta, warm), bare.extract(warm.html, warm.url)
    for i, page in enumerate(pages):
        golds = page_golds(page)
        if not any(golds.values()):
            continue
        results = {}
        order = [("thresher", lambda p: run_thresher(with_meta, p)), *refs.items()]
        timed = [("thresher:bare", lambda p: bare.extract(p.html, p.url)), ("thresher:meta", None)]
        if i % 2:
            timed.reverse()
        for name, fn in timed:
            if fn is None:
                t = time.perf_counter()
                results["thresher"] = run_thresher(with_meta, page)
                seconds[name] += time.perf_counter() - t
            else:
                t = time.perf_counter()
                fn(page)
                seconds[name] += time.perf_counter() - t
        for name, fn in order[1:]:
            t = time.perf_counter()
            try:
                results[name] = fn(page)
            except Exception as exc:  # noqa: BLE001 -- a reference tool's crash is its miss, not ours
                results[name] = {}
                print(f"{name} failed on {page.id}: {exc!r}", file=sys.stderr)
            seconds[name] += time.perf_counter() - t
        for f, gold in golds.items():
            if gold is None:
                continue
            for name, got in results.items():
                if f not in got:
                    continue
                cell = hits[(page.dataset, f, name)]
                ok = correct(f, gold, got[f])
                cell[0] += ok
                cell[1] += 1
                if args.errors == f and name == "thresher" and not ok:
                    print(f"MISS {page.dataset}/{page.id} gold={gold!r} got={got[f]!r} url={page.url}")

    rows = []
    datasets = sorted({k[0] for k in hits})
    tools = ["thresher", *refs]
    for f in FIELDS:
        for d in [*datasets, "all"]:
            for tool in tools:
                keys = [k for k in hits if k[1] == f and k[2] == tool and (d == "all" or k[0] == d)]
                ok = sum(hits[k][0] for k in keys)
                n = sum(hits[k][1] for k in keys)
                if n:
                    rows.append([f, d, tool, str(n), f"{ok / n:.3f}"])
    print(render_table(["field", "dataset", "tool", "pages", "accuracy"], rows, args.markdown, labels=3))
    overhead = seconds["thresher:meta"] / seconds["thresher:bare"] - 1 if seconds["thresher:bare"] else float("nan")
    print()
    print(
        f"metadata cost: extraction {seconds['thresher:bare']:.1f} s without, {seconds['thresher:meta']:.1f} s with "
        f"metadata: +{overhead:.1%} (target <= 20%); pinned to CPU {cpu}"
    )
    for name in refs:
        print(f"{name}: {seconds[name]:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
