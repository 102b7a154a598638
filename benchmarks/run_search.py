"""The search indexes' size and the speed of searches, on a store of a few thousand pages.

    python benchmarks/run_search.py [--limit N] [--zh-copies K] [--datasets ...] [--db STORE]

1. The store: the bench pages (and ``--zh-copies`` copies of the shipped
   Chinese sample, ``samples/pages/solar-village-zh.html``, each its own input,
   so that the trigram index and the short-term scan have Chinese articles to
   work on) are written into a temporary WARC and ingested; or ``--db`` names a
   store to measure as it is.
2. Size (SQLite's ``dbstat``): the word index and the trigram index, in bytes,
   per article they hold, and as a share of the store file; and, for the
   choice made, the size a trigram index of *every* article would have.
3. Rebuild: the time to drop and re-index both (the step that upgrades a
   version-4 store), rolled back afterwards.
4. Searches: each query's median time over ``--repeat`` runs (duplicates
   included, so that every copy is searched), its hits (at most 20), or the
   one-line refusal (cost limits, time budget).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import iter_pages, resolve_bench_dir
from run_ingest import write_warc

ZH_SAMPLE = ROOT / "samples" / "pages" / "solar-village-zh.html"

#: (what it shows, query, syntax). The Chinese terms are from the shipped sample.
QUERIES = [
    ("a common word", "the", "plain"),
    ("a rare word", "harbour", "plain"),
    ("hyphenated", "covid-19", "plain"),
    ("dotted", "U.S.", "plain"),
    ("two words", "new york", "plain"),
    ("a phrase", '"prime minister"', "plain"),
    ("Chinese, 2 characters (substring scan)", "光伏", "plain"),
    ("Chinese, 3 characters (trigram)", "合作社", "plain"),
    ("Chinese, both kinds of term", "光伏 合作社", "plain"),
    ("FTS5 OR", "election OR vote", "fts"),
    ("FTS5 two prefixes", "gov* AND polic*", "fts"),
    ("FTS5 NEAR", "NEAR(climate change, 3)", "fts"),
    ("FTS5 150 x the (time budget)", " ".join(['"the"'] * 150), "fts"),
    ("FTS5 64 x a* (issue 16: refused)", " ".join(["a*"] * 64), "fts"),
]


def build(db: Path, args) -> None:
    import thresher

    pages = [(p.url or f"https://bench.invalid/{p.dataset}/{p.id}", p.html.encode("utf-8"))
             for p in iter_pages(resolve_bench_dir(args.bench_dir), args.datasets, args.limit)]  # fmt: skip
    zh = ZH_SAMPLE.read_bytes()
    pages += [(f"https://news.yunxi.example/copy/{i}", zh) for i in range(args.zh_copies)]
    warc = db.with_suffix(".warc.gz")
    write_warc(warc, pages)
    t = time.perf_counter()
    report = thresher.ingest([str(warc)], db, progress=False)
    print(f"store: {report.stats.added} documents ingested in {time.perf_counter() - t:.0f} s")


def sizes(store) -> None:
    db = store.db
    (articles,) = db.execute("SELECT COUNT(*) FROM documents WHERE status = 'ok'").fetchone()
    total = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]

    def size(prefix: str) -> int:
        return db.execute("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?", (prefix + "%",)).fetchone()[
            0
        ]

    (in_tri,) = db.execute("SELECT COUNT(*) FROM documents_tri_docsize").fetchone()
    word, tri = size("documents_fts"), size("documents_tri")
    print(f"\nstore file: {total / 1e6:.1f} MB, {articles} articles")
    print("| index | articles in it | bytes | bytes per article in it | share of the store |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| words (unicode61) | {articles} | {word / 1e6:.1f} MB | {word / max(articles, 1):,.0f} | {word / total:.1%} |"
    )
    print(
        f"| trigrams (unsegmented scripts) | {in_tri} | {tri / 1e6:.2f} MB | {tri / max(in_tri, 1):,.0f} | {tri / total:.1%} |"
    )
    db.execute("BEGIN")
    try:  # the alternative not taken: every article in a trigram index
        db.execute(
            "CREATE VIRTUAL TABLE every_tri USING fts5(title, text, content='documents', content_rowid='id', tokenize='trigram')"
        )
        db.execute(
            "INSERT INTO every_tri(rowid, title, text) SELECT id, title, text FROM documents WHERE status = 'ok'"
        )
        every = size("every_tri")
    finally:
        db.execute("ROLLBACK")
    print(f"| (not taken: trigrams of every article) | {articles} | {every / 1e6:.1f} MB | {every / max(articles, 1):,.0f} | {every / (total + every):.1%} |")  # fmt: skip


def rebuild_time(store) -> None:
    from thresher.corpus import search

    store.db.execute("BEGIN")
    try:
        t = time.perf_counter()
        search.rebuild(store.db, trigram=search.trigram_available())
        print(f"\nrebuild of both indexes (the upgrade from schema 4): {time.perf_counter() - t:.1f} s")
    finally:
        store.db.execute("ROLLBACK")


def searches(store, repeat: int) -> None:
    from thresher.corpus.search import QueryError

    print("\n| query | syntax | hits | median ms |")
    print("|---|---|---:|---:|")
    for label, query, syntax in QUERIES:
        times, outcome = [], ""
        for _ in range(repeat):
            t = time.perf_counter()
            try:
                outcome = str(len(store.search(query, syntax=syntax, include_duplicates=True)))
            except QueryError as exc:
                outcome = str(exc).replace(repr(query), "…")
            times.append((time.perf_counter() - t) * 1000)
            if times[-1] > 1000:  # one run of a slow query says enough
                break
        shown = query if len(query) <= 30 else query[:27] + "…"
        print(f"| {label}: `{shown}` | {syntax} | {outcome} | {statistics.median(times):.1f} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir")
    ap.add_argument("--datasets", type=lambda s: s.split(","), default=None, help="comma-separated (default: all)")
    ap.add_argument("--limit", type=int, default=None, help="pages per dataset")
    ap.add_argument("--zh-copies", type=int, default=500, help="copies of the Chinese sample page added")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query")
    ap.add_argument("--db", type=Path, default=None, help="measure this store instead of building one")
    args = ap.parse_args(argv)

    from thresher.corpus.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "search.db"
            build(db, args)
        with Store(db, create=False) as store:
            sizes(store)
            rebuild_time(store)
            searches(store, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
