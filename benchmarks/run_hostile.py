"""Time and memory of thresher on hostile inputs: pages and dumps built to hit
the super-linear corners of parsing, Unicode normalisation and line handling,
and a stream of pages whose class, id and style values are all unique.

    python benchmarks/run_hostile.py [--cases NAME,...] [--pages 10000] [--no-pin]

Each case runs in a fresh child process (so peak memory is its own), pinned
to one CPU like ``run.py``: one untimed warm-up call on a small page and dump
(lazy model and table loads), then the one timed call. It prints the input
size, the seconds of the call (wall clock, and CPU time, which a busy machine
disturbs less), the growth of the resident set during it (peak RSS during the
call, from /proc/self/status, minus RSS before), and the output's characters.
The ``unique_values`` case extracts ``--pages`` pages in a row, each with
unique 20 KB ``class``, ``id`` and ``style`` values, and reports RSS growth
from its 100th page to its last (after ``gc.collect()``).

The targets (issue 16): no case over 2 s on one core, and ``unique_values``
under 1 GB. The builders are shared with ``tests/test_hardening.py``, which
runs them at small sizes as regression tests of behaviour (not of time).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MB = 1024 * 1024

# --------------------------------------------------------------------------- the inputs


def many_attributes(size: int) -> str:
    """A page whose one ``<div>`` carries ``size`` bytes of distinct attributes."""
    per = len(' data-x000000="v"')
    attrs = "".join(f' data-x{i:06d}="v"' for i in range(size // per))
    return f"<html><body><div{attrs}><p>A paragraph of ordinary article text follows the tag.</p></div></body></html>"


def combining_run(size: int) -> str:
    """A sentence with a run of ``size`` combining marks of two alternating
    classes (acute above, 230; grave below, 220) on one letter: canonical
    reordering sorts such a run by insertion, quadratic in its length."""
    return "Some text a" + "\u0301\u0316" * (size // 2) + " and more words after the marks."


def short_lines(size: int) -> str:
    """A dump of ``size`` characters of short lines, as a menu or a table dumps."""
    words = ("Home", "News", "Sport", "Weather", "Contact us", "12", "More", "x")
    out, n, i = [], 0, 0
    while n < size:
        line = f"{words[i % len(words)]} {i % 97}" if i % 3 else words[i % len(words)]
        out.append(line)
        n += len(line) + 1
        i += 1
    return "\n".join(out)


def breaks(count: int) -> str:
    """A page of ``count`` ``<br>``-separated short lines in one paragraph."""
    return "<html><body><p>" + "".join(f"line {i} of the poem<br>" for i in range(count)) + "</p></body></html>"


def json_ld_types(count: int) -> str:
    """A page whose JSON-LD script opens ``count`` lists of types and closes none."""
    payload = '"@type":[' * count
    return f'<html><head><script type="application/ld+json">{payload}</script></head><body><p>A short page.</p></body></html>'


def unique_values_page(k: int, size: int) -> str:
    """Page ``k`` of a stream: a few elements whose ``class``, ``id`` and
    ``style`` values (``size`` characters each) no other page repeats."""
    value = (f"c{k}x" * (size // 4 + 1))[:size]
    parts = [
        f'<div class="{value} a{i}" id="{value}{i}" style="color:red;{value}"><p>Paragraph {i} of page {k}, '
        "with enough ordinary words to be read as text.</p></div>"
        for i in range(3)
    ]
    return "<html><body>" + "".join(parts) + "</body></html>"


# name -> (what the input is, its builder); sizes from the hostile crawl of issue 16
CASES: dict[str, tuple[str, Callable[[], str]]] = {
    "attrs_878k": ("html", lambda: many_attributes(878_000)),
    "attrs_1.9m": ("html", lambda: many_attributes(1_900_000)),
    "marks_320k_html": ("html", lambda: f"<html><body><p>{combining_run(320_000)}</p></body></html>"),
    "marks_320k_dump": ("dump", lambda: "A headline\n\n" + combining_run(320_000) + "\n"),
    "lines_1m_dump": ("dump", lambda: short_lines(1_000_000)),
    "tiny_lines_1m_dump": ("dump", lambda: "\n".join(f"x{i % 10}" for i in range(333_333))),
    "br_100k": ("html", lambda: breaks(100_000)),
    "ld_types_1.8m": ("html", lambda: json_ld_types(200_000)),
}
STREAM = "unique_values"

# --------------------------------------------------------------------------- measuring (in the child)


def _rss() -> int:
    from benchmarks.memory import current_rss_bytes

    return current_rss_bytes()


def _reset_peak() -> None:
    """Start the peak RSS afresh (Linux: writing 5 to /proc/self/clear_refs), so
    the warm-up's peak does not hide the call's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak() -> int:
    """Peak RSS since ``_reset_peak`` (VmHWM), else since the process started."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
        return int(kb) * 1024
    except (OSError, StopIteration, ValueError, IndexError):
        from benchmarks.memory import peak_rss_bytes

        return peak_rss_bytes()


#: long enough for language identification, whose model loads on first use
_WARM_UP = "A warm-up paragraph, with an accent (é) and enough words for the language model to read it. " * 3


def _warm_up():
    """Import thresher and call it once on a small page and dump: the lazy
    loads (models, language identification, tables) are not charged to a case."""
    import thresher

    thresher.extract(f"<html><body><p>{_WARM_UP}</p></body></html>")
    thresher.clean_text(f"A headline\n\n{_WARM_UP}\n")
    return thresher


def measure_case(name: str) -> dict:
    """Time one call of thresher on case ``name``."""
    thresher = _warm_up()
    kind, build = CASES[name]
    data = build()
    call = thresher.extract if kind == "html" else thresher.clean_text
    gc.collect()
    before = _rss()
    _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    out = call(data)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "case": name,
        "input_kb": len(data.encode("utf-8")) / 1000,
        "seconds": seconds,
        "cpu": cpu,
        "grew_mb": max(_peak() - before, 0) / MB,
        "out_chars": len(out.text),
    }


def measure_stream(pages: int, size: int = 20_000) -> dict:
    """RSS growth over ``pages`` pages of unique ``size``-character values."""
    thresher = _warm_up()
    t0, c0 = time.perf_counter(), time.process_time()
    start = None
    for k in range(pages):
        thresher.extract(unique_values_page(k, size))
        if k == min(99, pages - 1):
            gc.collect()
            start = _rss()
    gc.collect()
    return {
        "case": f"{STREAM} ({pages} pages)",
        "input_kb": len(unique_values_page(0, size)) / 1000,
        "seconds": time.perf_counter() - t0,
        "cpu": time.process_time() - c0,
        "grew_mb": (_rss() - start) / MB,
        "out_chars": -1,
        "peak_mb": _peak() / MB,
    }


# --------------------------------------------------------------------------- the run (in the parent)


def run_child(case: str, pages: int, pin: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", case, "--pages", str(pages)] + ([] if pin else ["--no-pin"])
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    if done.returncode:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"case": case, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])


def render(rows: Sequence[dict]) -> str:
    lines = [f"{'case':<28} {'input KB':>9} {'seconds':>8} {'CPU s':>7} {'grew MB':>8} {'out chars':>9}"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['case']:<28} ERROR {r['error']}")
            continue
        extra = f"   (peak RSS {r['peak_mb']:.0f} MB)" if "peak_mb" in r else ""
        lines.append(
            f"{r['case']:<28} {r['input_kb']:>9.0f} {r['seconds']:>8.2f} {r['cpu']:>7.2f} {r['grew_mb']:>8.1f}"
            f" {r['out_chars']:>9}{extra}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=None, help=f"comma-separated, from {', '.join([*CASES, STREAM])}")
    ap.add_argument("--pages", type=int, default=10_000, help=f"pages of the {STREAM} case")
    ap.add_argument("--no-pin", action="store_true", help="do not pin the children to one CPU")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        if not args.no_pin:
            from benchmarks.run import pin_to_one_core

            pin_to_one_core()
        row = measure_stream(args.pages) if args.child == STREAM else measure_case(args.child)
        print(json.dumps(row))
        return 0
    names = args.cases.split(",") if args.cases else [*CASES, STREAM]
    unknown = [n for n in names if n not in CASES and n != STREAM]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    rows = []
    for name in names:
        rows.append(run_child(name, args.pages, not args.no_pin))
        print(render(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
