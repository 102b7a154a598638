from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT.parent / "shared" / "bench"
SEEDS_DIR = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def extractor():
    from thresher import Extractor

    return Extractor()
