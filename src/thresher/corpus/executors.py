"""Executors: map a pure function over batches, in order, with bounded memory.

An executor only maps; it knows nothing of pages or stores. ``LocalExecutor``
runs in this process (one worker) or in a pool of processes; a distributed
executor (Ray, say) would map the same ``ingest.process_batch`` over the same
batches.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["LocalExecutor", "default_workers"]

T = TypeVar("T")
R = TypeVar("R")

#: Batches in flight per worker: enough to keep every worker busy while the
#: writer stores a result, few enough that memory stays flat on any input.
IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """``map`` over local processes, results in input order.

    With one worker everything runs in this process: no pickling, no start-up
    cost. Unlike ``Pool.imap``, which reads its whole input ahead, at most
    ``workers * IN_FLIGHT_PER_WORKER`` batches are pending at once.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    def map(self, fn: Callable[[T], R], batches: Iterable[T]) -> Iterator[R]:
        if self.workers == 1:
            yield from map(fn, batches)
            return
        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ctx.Pool(self.workers) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.apply_async(fn, (batch,)))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
