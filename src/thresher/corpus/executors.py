"""Executors: map a pure function over batches, in order, with bounded memory and time.

An executor only maps; it knows nothing of pages or stores. ``LocalExecutor``
runs in this process (one worker) or in a pool of processes; a distributed
executor (Ray, say) would map the same ``ingest.process_batch`` over the same
batches. :func:`time_limit` is the worker-side guard the step puts around each
page, so that one page cannot hold a worker for ever, wherever it runs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["LocalExecutor", "TimeLimitExceeded", "default_workers", "sigint_ignored", "time_limit"]

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


def _ignore_sigint() -> None:
    """A worker's initializer: Ctrl-C is for the parent, which shuts the pool down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ctrl-C ignored for the block, in the main thread (elsewhere there is no handler
    to set): while a pool starts, and while a run interrupted once cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class TimeLimitExceeded(Exception):
    """A block guarded by :func:`time_limit` ran out of time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over the time limit of {seconds:g} s")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` in the block once it has run ``seconds`` (wall clock).

    A ``SIGALRM`` interval timer (``signal.setitimer``), as Resiliparse's
    ``time_guard`` does: it works in the main thread of a process (a pool
    worker's, or this one's with one worker); elsewhere, or without
    ``SIGALRM``, the block runs unguarded. The exception is raised between two
    Python bytecodes, so a single long call into C (one parse, bounded by
    ``Config.max_input_bytes``) ends first. A timer that was already set (a
    test runner's) is set again afterwards, less the time the block took."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    start = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
            if outer:
                signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3), interval)


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
        """``fn`` of each batch, in order. Closing the iterator (or an exception
        in it, Ctrl-C among them) terminates the pool; the workers ignore Ctrl-C
        themselves, so that a terminal's Ctrl-C, which reaches every process of
        the group, stops the run once, in this process, without a traceback per worker."""
        if self.workers == 1:
            yield from map(fn, batches)
            return
        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with sigint_ignored():  # forked workers start with Ctrl-C ignored, before their initializer runs
            pool = ctx.Pool(self.workers, initializer=_ignore_sigint)
        with pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.apply_async(fn, (batch,)))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
