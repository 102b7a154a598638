"""Text dumps: thresher.clean_text on two renderings of each gold page, beside
trafilatura on the same page's HTML and jusText run over the dump's lines.

    python benchmarks/run_dumps.py [--datasets ...] [--limit N] [--markdown]

One process pinned to one core, pages interleaved, only the tool call timed.
For each page with gold, and each renderer in ``benchmarks/render.py``
(``blocks`` and ``browserlike``, perturbed the way real dumps are):

* thresher: ``clean_text(dump)``;
* jusText: each line of the dump wrapped in ``<p>``, with the stop-list of the
  language whose list matches most of the dump's words (jusText needs one; the
  best-matching list is the fairest choice without knowing the language);
* trafilatura: ``extract(html)`` on the page's HTML (once per page: it is the
  reference the dump cleaner is measured against, and has the markup).

Token-F1 as in ``corpus.token_f1``. Speed: pages per second of each tool's own
calls (trafilatura per HTML page; thresher and jusText per dump), after one
untimed call of each tool on the first page (lazy imports and model loads).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from functools import lru_cache
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import iter_pages, resolve_bench_dir, token_f1  # noqa: E402
from benchmarks.render import RENDERERS, make_dump  # noqa: E402
from benchmarks.run import pin_to_one_core  # noqa: E402
from benchmarks.tools import load_tool, run_tool  # noqa: E402

DATASETS = ("scrapinghub", "readability", "wcxb_dev")
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    return {lang: frozenset(justext.get_stoplist(lang)) for lang in justext.get_stoplists()}


def justext_lines(text: str) -> str:
    """jusText over a dump: one <p> per line, the best-matching stop-list."""
    import justext

    words = [w.lower() for w in _WORD.findall(text[:20000])]
    best = max(_stoplists().items(), key=lambda kv: sum(w in kv[1] for w in words))[1] if words else frozenset()
    html = (
        "<html><body>"
        + "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
        + "</body></html>"
    )
    paras = justext.justext(html, best)
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir")
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each dataset")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    cpu = pin_to_one_core()

    import thresher

    cleaner = thresher.TextCleaner()
    traf = load_tool("trafilatura")
    f1: dict[tuple[str, str], list[float]] = {}
    secs: dict[str, float] = {"thresher": 0.0, "jusText": 0.0, "trafilatura": 0.0}
    calls: dict[str, int] = {"thresher": 0, "jusText": 0, "trafilatura": 0}
    warm = True
    for k, page in enumerate(iter_pages(resolve_bench_dir(args.bench_dir), args.datasets, args.limit)):
        if not page.gold:
            continue
        if warm:  # one untimed call of each tool first: one-off lazy loads are not charged to a page
            dump = make_dump(page.id, page.dataset, page.url, page.html, page.gold, RENDERERS[0])
            run_tool(traf, page.html, page.url), cleaner.clean(dump.text).text, justext_lines(dump.text)
            warm = False
        out = run_tool(traf, page.html, page.url)
        secs["trafilatura"] += out.seconds
        calls["trafilatura"] += 1
        f1.setdefault((page.dataset, "trafilatura (HTML)"), []).append(token_f1(out.text, page.gold)[2])
        for r in RENDERERS:
            dump = make_dump(page.id, page.dataset, page.url, page.html, page.gold, r)
            order = (("thresher", lambda t: cleaner.clean(t).text), ("jusText", justext_lines))
            for name, fn in order if k % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                try:
                    text = fn(dump.text)
                except Exception:  # noqa: BLE001 - a failure is an empty output
                    text = ""
                secs[name] += time.perf_counter() - t0
                calls[name] += 1
                f1.setdefault((page.dataset, f"{name} ({r})"), []).append(token_f1(text, page.gold)[2])
    rows = []
    for (ds, tool), vals in sorted(f1.items()):
        rows.append((ds, tool, len(vals), statistics.mean(vals), statistics.median(vals)))
    pooled: dict[str, list[float]] = {}
    for (_ds, tool), vals in f1.items():
        pooled.setdefault(tool, []).extend(vals)
    for tool, vals in sorted(pooled.items()):
        rows.append(("all", tool, len(vals), statistics.mean(vals), statistics.median(vals)))
    sep = " | " if args.markdown else "  "
    head = ["dataset", "tool (input)", "pages", "F1 mean", "F1 median"]
    if args.markdown:
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    else:
        print(sep.join(head))
    for ds, tool, n, mean, med in rows:
        line = sep.join([ds, tool, str(n), f"{mean:.4f}", f"{med:.4f}"])
        print(f"| {line} |" if args.markdown else line)
    print()
    speeds = {k: calls[k] / secs[k] for k in secs if secs[k] > 0}
    pin = f"pinned to CPU {cpu}" if cpu is not None else "not pinned"
    print(f"speed ({pin}): " + ", ".join(f"{k} {v:.1f} docs/s" for k, v in speeds.items()))
    if "thresher" in speeds and "trafilatura" in speeds:
        print(f"thresher clean_text / trafilatura extract: {speeds['thresher'] / speeds['trafilatura']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
