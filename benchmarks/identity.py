"""Proof that a refactoring leaves thresher's output byte-identical.

``record`` hashes every result thresher gives on the bench pages; ``compare``
recomputes them with the code under test and reports, per field, which pages
differ:

    python benchmarks/identity.py record BEFORE.json [--datasets a,b] [--limit N]
    python benchmarks/identity.py compare BEFORE.json [--datasets a,b] [--limit N] [--ignore-nometa-title]

Pages come from ``corpus.iter_pages`` (every dataset of the bench directory,
sorted by dataset and id; it always skips pages with ``extra.gold_coverage``
< 0.5). The key of a page is ``dataset/id``; its fields are:

- ``html``: ``thresher.extract(html, url)`` with the default Config;
- ``html_nometa``: ``Extractor(Config(metadata=False)).extract(html, url)``;
  ``html_nometa_notitle`` is the same result with its title set to None;
- ``html_title``, ``html_nometa_title``: the two titles, as text;
- ``dump_<renderer>``: ``thresher.clean_text(dump, url)`` on the page's text
  dump from each renderer of the dump module (``make_dump``, seed 0);
  ``dump_<renderer>_text`` is the dump itself, so a changed renderer shows
  apart from a changed cleaner.

A result's hash is the sha256 of the canonical JSON (sorted keys, ASCII) of
``article.to_dict()``: text, blocks, removed blocks and all metadata. A call
that raises is hashed as the exception's type and message; a dump the
renderer cannot make gives its error to both dump fields.

``compare`` exits 1 when any field of any page differs (pages missing on
either side differ in every field). With ``--ignore-nometa-title`` an
``html_nometa`` result that differs in its title alone, the new title being
the default's, is counted apart and does not fail: that is the intended change
making ``metadata=False`` keep the default headline.

The code measured is whichever ``thresher`` and ``benchmarks`` come first on
the path (printed to stderr); for a git worktree of the old commit run with
``PYTHONPATH=WORKTREE/src:WORKTREE``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import thresher
from benchmarks.corpus import available_datasets, iter_pages, resolve_bench_dir

try:  # the one place to retarget if the dump module moves
    from benchmarks.render import RENDERERS, make_dump
except ImportError:
    from benchmarks.dumps import RENDERERS, make_dump

DUMP_SEED = 0  # the seed of benchmarks/run_dumps.py
SHOWN = 10  # differing page keys listed per field
NOMETA, NOMETA_NOTITLE, NOMETA_TITLE, TITLE = "html_nometa", "html_nometa_notitle", "html_nometa_title", "html_title"
_MISSING = object()

# --------------------------------------------------------------------------- hashing


def digest(value) -> str:
    """sha256 of the canonical JSON of ``value``."""
    data = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def attempt(call, *args):
    """``call(*args)``, or ``{"error": "Type: message"}`` if it raised (an error is a result too)."""
    try:
        return call(*args)
    except Exception as exc:  # noqa: BLE001 - it must stay the same error
        return {"error": f"{type(exc).__name__}: {exc}"}


def article_dict(call, *args) -> dict:
    """``to_dict()`` of the Article ``call(*args)`` returns, or its error."""
    article = attempt(call, *args)
    return article if isinstance(article, dict) else article.to_dict()


def dump_text(page, renderer: str) -> str:
    return make_dump(page.id, page.dataset, page.url, page.html, page.gold or "", renderer, DUMP_SEED).text


def page_fields(page, nometa: thresher.Extractor) -> dict[str, str | None]:
    """All fields of one page."""
    default = article_dict(thresher.extract, page.html, page.url)
    bare = article_dict(nometa.extract, page.html, page.url)
    fields = {
        "html": digest(default),
        TITLE: default.get("title"),
        NOMETA: digest(bare),
        NOMETA_NOTITLE: digest({**bare, "title": None}),
        NOMETA_TITLE: bare.get("title"),
    }
    for renderer in RENDERERS:
        text = attempt(dump_text, page, renderer)
        cleaned = text if isinstance(text, dict) else article_dict(thresher.clean_text, text, page.url)
        fields[f"dump_{renderer}"] = digest(cleaned)
        fields[f"dump_{renderer}_text"] = digest(text)
    return fields


def compute(bench_dir: Path, datasets: list[str], limit: int | None) -> dict[str, dict]:
    """``{dataset/id: fields}`` of the selected pages, with progress on stderr."""
    nometa = thresher.Extractor(thresher.Config(metadata=False))
    out: dict[str, dict] = {}
    t0 = time.perf_counter()
    for page in iter_pages(bench_dir, datasets, limit):
        out[f"{page.dataset}/{page.id}"] = page_fields(page, nometa)
        if len(out) % 250 == 0:
            print(f"  {len(out)} pages, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    counts = Counter(key.partition("/")[0] for key in out)
    summary = ", ".join(f"{ds} {n}" for ds, n in sorted(counts.items()))
    print(f"{len(out)} pages ({summary}) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


# --------------------------------------------------------------------------- comparing


def expected_keys(before: dict[str, dict], datasets: list[str], limit: int | None) -> set[str]:
    """The recorded pages the same selection gives: the first ``limit`` by id of each dataset."""
    ids = defaultdict(list)
    for key in before:
        dataset, _, page_id = key.partition("/")
        ids[dataset].append(page_id)
    return {f"{ds}/{page_id}" for ds in datasets for page_id in sorted(ids[ds])[:limit]}


def differing(before: dict[str, dict], after: dict[str, dict], keys: list[str]) -> dict[str, list[str]]:
    """Per field, the keys whose value differs (or is missing on one side)."""
    fields = sorted({f for side in (before, after) for k in keys for f in side.get(k, {})})
    return {
        f: [k for k in keys if before.get(k, {}).get(f, _MISSING) != after.get(k, {}).get(f, _MISSING)] for f in fields
    }


def title_only(diffs: dict[str, list[str]], after: dict[str, dict]) -> list[str]:
    """Pages whose ``html_nometa`` result differs in the title alone, now the default's title."""
    beyond_title = set(diffs[NOMETA_NOTITLE])
    return [k for k in diffs[NOMETA] if k not in beyond_title and after[k][NOMETA_TITLE] == after[k][TITLE]]


def report(diffs: dict[str, list[str]], n_pages: int, excused: list[str]) -> None:
    width = max(map(len, diffs))
    print(f"{'field':<{width}}  {'identical':>9}  {'differ':>6}  of {n_pages} pages")
    for field, keys in diffs.items():
        print(f"{field:<{width}}  {n_pages - len(keys):>9}  {len(keys):>6}")
    for field, keys in diffs.items():
        if keys:
            more = f" ... (+{len(keys) - SHOWN})" if len(keys) > SHOWN else ""
            print(f"\n{field}: {' '.join(keys[:SHOWN])}{more}")
    print(f"\n{NOMETA} differing in the title alone, now equal to the default title: {len(excused)}")
    if excused:
        print("  " + " ".join(excused[:SHOWN]) + (f" ... (+{len(excused) - SHOWN})" if len(excused) > SHOWN else ""))


def compare(before: dict[str, dict], after: dict[str, dict], keys: list[str], ignore_nometa_title: bool) -> int:
    """Print the comparison; 1 if anything not excused differs, else 0."""
    diffs = differing(before, after, keys)
    excused = title_only(diffs, after)
    report(diffs, len(keys), excused)
    if ignore_nometa_title:
        excused_set = set(excused)
        for field in (NOMETA, NOMETA_TITLE):
            diffs[field] = [k for k in diffs[field] if k not in excused_set]
    failed = any(diffs.values())
    note = f" ({len(excused)} {NOMETA} title-only changes excused)" if ignore_nometa_title and excused else ""
    print(f"\n{'DIFFERENT' if failed else 'IDENTICAL'}{note}")
    return 1 if failed else 0


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("record", "compare"))
    ap.add_argument("path", type=Path, help="record: file to write; compare: file written by record")
    ap.add_argument("--datasets", default=None, help="comma-separated (default: all in the bench directory)")
    ap.add_argument("--limit", type=int, default=None, help="first N pages (by id) of each dataset")
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument(
        "--ignore-nometa-title",
        action="store_true",
        help="html_nometa title-only changes to the default title do not fail",
    )
    args = ap.parse_args(argv)

    bench_dir = resolve_bench_dir(args.bench_dir)
    datasets = args.datasets.split(",") if args.datasets else available_datasets(bench_dir)
    print(f"thresher from {thresher.__file__}", file=sys.stderr)
    after = compute(bench_dir, datasets, args.limit)
    if args.command == "record":
        args.path.write_text(json.dumps(after, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    before = json.loads(args.path.read_text(encoding="utf-8"))
    keys = sorted(expected_keys(before, datasets, args.limit) | set(after))
    return compare(before, after, keys, args.ignore_nometa_title)


if __name__ == "__main__":
    sys.exit(main())
