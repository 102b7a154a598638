"""Regression gate on ../shared/bench: F1 floors a little under the measured figures."""

import json

import pytest

from benchmarks import gate
from tests.conftest import BENCH_DIR

pytestmark = pytest.mark.skipif(not BENCH_DIR.exists(), reason="../shared/bench is not beside the repo")


@pytest.mark.timeout(900)
def test_f1_does_not_regress():
    baseline = json.loads(gate.BASELINE.read_text())
    measured = gate.measure(BENCH_DIR)
    assert set(baseline) <= set(measured), "a pinned dataset is missing from the bench"
    assert gate.failures(measured, baseline) == []
