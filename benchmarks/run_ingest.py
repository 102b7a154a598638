"""End-to-end ingest speed and memory, beside bare ``extract`` on the same pages.

    python benchmarks/run_ingest.py [--limit N] [--repeat K] [--datasets ...]

1. The bench pages are written (as their UTF-8 bytes, with their URLs) into a
   temporary ``.warc.gz``, one gzip member per record, as crawlers write them.
2. Bare extraction: ``Extractor.extract`` over the same bytes, one core.
3. Ingest: ``thresher.ingest`` of that WARC into a fresh store with one
   worker: WARC reading, extraction, metadata, signatures, dedup and the
   SQLite/FTS5 writes, all included.
4. Memory: the ingest runs again in a child process over a WARC holding the
   pages ``--repeat`` times, and over one holding them once; the peak RSS of
   both is reported (flat memory means the two peaks are close).

The target (issue 5): ingest with one worker at >= 80% of bare extract's docs/s;
peak memory < 1 GB whatever the input size.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import iter_pages, resolve_bench_dir
from run import pin_to_one_core


def warc_record(n: int, url: str, body: bytes) -> bytes:
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)  # fmt: skip
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", compresslevel=1)


def write_warc(path: Path, pages: list[tuple[str, bytes]], repeat: int = 1) -> int:
    n = 0
    with open(path, "wb") as fh:
        for r in range(repeat):
            for url, body in pages:
                n += 1
                # each repeat gets its own URL so the records are distinct inputs
                fh.write(warc_record(n, f"{url}#r{r}" if repeat > 1 else url, body))
    return n


def child_peak_rss(warc: Path, db: Path) -> dict:
    code = (
        "import json, resource, sys\nimport thresher\n"
        f"rep = thresher.ingest([{str(warc)!r}], {str(db)!r}, workers=1, progress=False)\n"
        "print(json.dumps({'docs': rep.stats.added, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir")
    ap.add_argument("--datasets", default=None, help="comma-separated (default: all)")
    ap.add_argument("--limit", type=int, default=None, help="pages per dataset")
    ap.add_argument("--repeat", type=int, default=5, help="copies of the pages in the memory run")
    ap.add_argument(
        "--no-pin", action="store_true", help="do not pin to one core (the writer thread may then use a second one)"
    )
    args = ap.parse_args(argv)
    cpu = None if args.no_pin else pin_to_one_core()

    import thresher

    datasets = args.datasets.split(",") if args.datasets else None
    pages = [(p.url or f"https://bench.invalid/{p.dataset}/{p.id}", p.html.encode("utf-8"))
             for p in iter_pages(resolve_bench_dir(args.bench_dir), datasets, args.limit)]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warc = tmp / "pages.warc.gz"
        write_warc(warc, pages)

        ex = thresher.Extractor()
        ex.extract(pages[0][1], pages[0][0])  # warm up (model, language identifier)
        t = time.perf_counter()
        for url, body in pages:
            ex.extract(body, url)
        bare = time.perf_counter() - t

        t = time.perf_counter()
        report = thresher.ingest([str(warc)], tmp / "speed.db", workers=1, progress=False)
        full = time.perf_counter() - t
        n = report.stats.added

        big = tmp / "big.warc.gz"
        n_big = write_warc(big, pages, args.repeat)
        small = child_peak_rss(warc, tmp / "mem1.db")
        large = child_peak_rss(big, tmp / "mem2.db")

    rate_bare, rate_ingest = len(pages) / bare, n / full
    pin = f"pinned to CPU {cpu}" if cpu is not None else "not pinned"
    print(f"pages: {len(pages)} ({pin})")
    print("| step | docs | seconds | docs/s |")
    print("|---|---:|---:|---:|")
    print(f"| bare extract (metadata on) | {len(pages)} | {bare:.1f} | {rate_bare:.1f} |")
    print(f"| ingest, 1 worker (WARC -> store) | {n} | {full:.1f} | {rate_ingest:.1f} |")
    print(f"\ningest / extract: {rate_ingest / rate_bare:.1%} (target >= 80%)")
    print(f"failures: {sum(report.stats.failures.values())}, duplicates linked: {report.stats.duplicates}")
    print(f"peak RSS: {small['peak_mb']:.0f} MB for {small['docs']} docs, "
          f"{large['peak_mb']:.0f} MB for {large['docs']} docs ({n_big} records; target < 1024 MB, flat)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
