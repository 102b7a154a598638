"""The one module that imports Ray: map the shards over Ray Data, then the dedup stages.

``ShardMap`` is the callable class ``map_batches`` runs on each worker (a Ray
actor): it builds its ``process.Step`` (the extractor and cleaner, with the
run's ``Config``) once, then takes shards one at a time, runs the local
batching and step over each, and writes its Parquet files. Ray Data restarts
an actor that dies and runs its shard again (its defaults for actor pools:
``max_restarts=-1``, ``max_task_retries=-1``); a document that fails is a
failure row, as it is locally. Nothing is scheduled here but by Ray.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...config import Config
from ...errors import ThresherError
from ...textmeta import preload
from ..executors import default_workers
from ..process import Step
from . import stages
from .shards import Output, Shard, plan_shards, process_shard

__all__ = ["RAY_MISSING", "RayReport", "ShardMap", "ingest_on_ray", "require_ray"]

RAY_MISSING = "--executor ray needs Ray Data and pyarrow: pip install -e '.[ray]' in a checkout"


def require_ray():
    """The ``ray`` module, or a ``ThresherError`` naming the package to install."""
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ThresherError(RAY_MISSING) from None
    return ray


class ShardMap:
    """What each Ray worker runs: shards in, one summary row per shard out."""

    def __init__(self, output: str, config: Config, site: str | None):
        preload()  # the language model decompresses on another core while Ray hands out the first shard
        self.out = Output(output)
        self.step = Step(config, site)  # the models load once per worker

    def __call__(self, batch: dict) -> dict:
        rows: dict[str, list] = {"number": [], "docs": [], "ok": [], "empty": [], "failed": [], "seconds": []}
        for number, entries in zip(batch["number"], batch["entries"]):
            shard = Shard(int(number), tuple(json.loads(entries)))
            start = time.perf_counter()
            docs, _ = process_shard(shard, self.step)
            self.out.write_docs(shard, docs)
            rows["number"].append(shard.number)
            rows["docs"].append(len(docs))
            for status in ("ok", "empty", "failed"):
                rows[status].append(sum(d.status == status for d in docs))
            rows["seconds"].append(time.perf_counter() - start)
        return rows


@dataclass(slots=True)
class RayReport:
    shards: int = 0
    skipped: int = 0  # shards written by an earlier run of the same command
    docs: int = 0  # made by this run
    ok: int = 0
    empty: int = 0
    failed: int = 0
    duplicates: int = 0  # in the whole output
    seconds: float = 0.0
    shard_seconds: list[float] = field(default_factory=list)  # each shard's work in its worker
    start_seconds: float = 0.0  # starting a local Ray (or joining a cluster): once a process
    map_seconds: float = 0.0  # the Ray Data map, from the driver: the shards' work and Ray's start of it
    dedup_seconds: float = 0.0

    @property
    def ray_seconds(self) -> float:
        """The map's time beyond the shards' work at one worker: Ray Data starting (a worker
        process, its imports) and handing out shards; where Ray's overhead at one worker goes."""
        return max(0.0, self.map_seconds - sum(self.shard_seconds))

    def lines(self) -> list[str]:
        rate = self.docs / self.seconds if self.seconds else 0.0
        return [
            f"shards:      {self.shards} ({self.skipped} written before)",
            f"documents:   {self.docs} made: {self.ok} articles, {self.empty} without article text, {self.failed} failed",
            f"duplicates:  {self.duplicates} linked to a canonical document",
            f"time:        {self.seconds:.1f} s ({rate:.1f} docs/s; {self.start_seconds:.1f} s of it starting Ray)",
        ]


def ingest_on_ray(
    inputs: Iterable[str],
    output: str,
    *,
    config: Config | None = None,
    site: str | None = None,
    workers: int | None = None,
    address: str | None = None,
    extensions: tuple[str, ...] | None = None,
    progress: bool = False,
) -> RayReport:
    """Run the corpus pipeline over ``inputs`` on Ray Data, into ``output`` (a
    directory or a URI pyarrow opens): the Python form of ``thresher ingest
    --executor ray``. Connects to ``address`` (a running cluster), else starts a
    local Ray with ``workers`` CPUs (default: all cores). The same call again
    skips the shards already written and the dedup stages already done."""
    config = config or Config()
    Step(config, site)  # a bad config fails here, before Ray starts
    start = time.perf_counter()
    shards = plan_shards(inputs, extensions)
    out = Output(output)
    out.write_plan(shards, config, site)
    todo = [s for s in shards if not out.done(s)]
    report = RayReport(shards=len(shards), skipped=len(shards) - len(todo))
    if todo:
        report.start_seconds = _start_ray(workers or default_workers(), address)
        map_start = time.perf_counter()
        rows = _map_shards(todo, out, config, site, workers=workers or default_workers(), progress=progress)
        report.docs = sum(rows["docs"])
        for status in ("ok", "empty", "failed"):
            setattr(report, status, sum(rows[status]))
        report.shard_seconds = list(rows["seconds"])
        report.map_seconds = time.perf_counter() - map_start
    dedup_start = time.perf_counter()
    report.duplicates = stages.run_all(out)
    report.dedup_seconds = time.perf_counter() - dedup_start
    report.seconds = time.perf_counter() - start
    return report


def _start_ray(workers: int, address: str | None) -> float:
    """Connect to ``address``, else start a local Ray with ``workers`` CPUs, unless this process
    has done so already; the seconds it took (2-6 s on the shared 2-core test machine)."""
    ray = require_ray()
    start = time.perf_counter()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    return time.perf_counter() - start


def _map_shards(
    todo: list[Shard], out: Output, config: Config, site, *, workers: int, progress, mapper: type = ShardMap
) -> dict:
    """``mapper`` (``ShardMap``; a test's fails on purpose) over the shards to do, on ``workers``
    Ray workers of the Ray started (``_start_ray``); their summary rows, by column."""
    ray = require_ray()
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = progress
    ctx.print_on_execution_start = False
    items = [{"number": s.number, "entries": json.dumps(s.entries)} for s in todo]
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds = ds.map_batches(
        mapper,
        fn_constructor_kwargs={"output": out.uri, "config": config, "site": site},
        batch_size=1,  # a shard is the unit of work and of retry
        # one actor a worker, each kept for every shard it is given (its models load once);
        # ``compute`` rather than ``concurrency``, which Ray 2.51 deprecates
        compute=ray.data.ActorPoolStrategy(size=min(workers, len(items))),
        num_cpus=1,
    )
    rows: dict[str, list] = {}
    for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
        for k, v in batch.items():
            rows.setdefault(k, []).extend(v.tolist())
    return rows
