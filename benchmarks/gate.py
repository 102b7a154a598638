"""Quality gate: thresher's F1 and metadata accuracy on the dev pages must not fall below pinned floors.

    python benchmarks/gate.py            # check against benchmarks/baseline.json
    python benchmarks/gate.py --update   # pin the current figures (refuses to lower them
                                         # unless --allow-regression is given)

The floors are the measured figures minus ``MARGIN``. The test suite runs the
same check (tests/test_bench_regression.py). Figures are in-sample for the
datasets the model was trained on; trafilatura_eval is never trained on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import (
    META_FIELDS,
    iter_pages,
    meta_correct,
    meta_gold,
    resolve_bench_dir,
    snippet_counts,
    snippet_scores,
    sum_counts,
    token_f1,
)

BASELINE = ROOT / "benchmarks" / "baseline.json"
#: Floors sit this far under the measured means: enough for float noise and
#: harmless refactors, small enough to catch a real regression.
MARGIN = 0.01


def measure(bench_dir=None) -> dict[str, float]:
    """Mean token-F1 per dataset with gold; snippet F1 for trafilatura_eval; and
    metadata accuracy over all pages with a gold value (``all/<field>_accuracy``)."""
    import thresher

    ex = thresher.Extractor()
    f1s: dict[str, list[float]] = {}
    snips: dict[str, list] = {}
    meta: dict[str, list[bool]] = {}
    for page in iter_pages(resolve_bench_dir(bench_dir)):
        article = ex.extract(page.html, page.url)
        text = article.text
        got = {"title": article.title, "date": article.published, "authors": article.authors}
        for field in META_FIELDS:
            gold = meta_gold(page.extra, field)
            if gold is not None:
                meta.setdefault(field, []).append(meta_correct(field, gold, got[field]))
        if page.gold:
            f1s.setdefault(page.dataset, []).append(token_f1(text, page.gold)[2])
        if page.with_ or page.without:
            snips.setdefault(page.dataset, []).append(snippet_counts(text, page.with_, page.without))
    out = {f"{ds}/token_f1_mean": statistics.mean(v) for ds, v in f1s.items()}
    out |= {f"{ds}/snippet_f1": snippet_scores(sum_counts(v)).f1 for ds, v in snips.items()}
    out |= {f"all/{field}_accuracy": statistics.mean(v) for field, v in meta.items()}
    return dict(sorted(out.items()))


def failures(measured: dict[str, float], baseline: dict[str, float]) -> list[str]:
    return [
        f"{k}: {measured.get(k, 0.0):.4f} < floor {v - MARGIN:.4f}"
        for k, v in baseline.items()
        if measured.get(k, 0.0) < v - MARGIN
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--allow-regression", action="store_true")
    args = ap.parse_args(argv)
    measured = measure(args.bench_dir)
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    for k, v in measured.items():
        print(f"{k:40s} {v:.4f}   pinned {baseline.get(k, float('nan')):.4f}")
    bad = failures(measured, baseline)
    if args.update:
        lower = [k for k, v in measured.items() if v < baseline.get(k, 0.0)]
        if lower and not args.allow_regression:
            print("refusing to lower:", ", ".join(lower), "(use --allow-regression)")
            return 1
        BASELINE.write_text(json.dumps({k: round(v, 4) for k, v in measured.items()}, indent=2) + "\n")
        print(f"pinned {BASELINE}")
        return 0
    for line in bad:
        print("REGRESSION", line)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
