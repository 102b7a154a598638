"""Deduplication of a cluster run, as stages over the written signatures: files in, files out.

    bands/*.parquet (key, seq) --candidates--> dedup/candidates/part-*.parquet (a, b)
      --edges (dedup.duplicate_similarity)--> dedup/edges.parquet (a, b, similarity)
      --groups (union-find)--> dedup/groups.parquet (seq, group)
      --links (the store's canonical rule)--> dedup/links.parquet (seq, duplicate_of, similarity)

The pairs compared are the local store's: two articles sharing an LSH band
key or a content hash (``Store._duplicates``), decided by the same
``dedup.duplicate_similarity``; a group is every article joined by such pairs,
and its canonical document is the fullest, then the earliest published (undated
last), then the first to arrive (``seq``): ``Store._link``'s rule. Each stage
reads the previous one's files and writes its own whole (``Output.write_table``),
so a failed stage reruns alone and a finished one is skipped. They run once
every shard is written, so their inputs never change under them.

The similarity recorded for a member is its estimated Jaccard to the canonical
document when the two were compared, else its highest to another member; the
store records the one it saw as the member arrived (``thresher import``
replays the arrivals, so a store keeps its own).
"""

from __future__ import annotations

import numpy as np

from .. import dedup
from .shards import BAND_KEY_BITS, EXACT_BAND, Output

__all__ = ["KEY_ROWS_PER_PARTITION", "STAGES", "run_all"]

STAGES = ("candidates", "edges", "groups", "links")
#: Band rows grouped in memory at once by the candidates stage. A larger run is
#: cut into partitions by key, each its own file, each rerun alone. Measured
#: with benchmarks/run_ray.py on 1 M synthetic documents (17 M rows, two
#: partitions): the stages' peak RSS 1.3 GB, 27 s on one core.
KEY_ROWS_PER_PARTITION = 16_000_000


def run_all(out: Output) -> int:
    """Every stage not yet done, in order; the number of documents linked to a canonical one."""
    steps = {"candidates": _candidates, "edges": _edges, "groups": _groups, "links": _links}
    for name in STAGES:
        if not out.exists("dedup", f"{name}.done"):
            steps[name](out)
            out.fs.create_dir(out.path("dedup"), recursive=True)
            with out.fs.open_output_stream(out.path("dedup", f"{name}.done")) as f:
                f.write(b"")
    return out.read_table("dedup", "links.parquet", columns=["seq"]).num_rows


def _files(out: Output) -> list[str]:
    """The shards' file names (the same under ``docs/`` and ``bands/``), in plan order."""
    return [f"{name}.parquet" for name in out.shard_names()]


def _candidates(out: Output) -> None:
    """Pairs ``a < b`` of articles that share a key: every pair of a band's bucket; a
    content hash's bucket as a star (its members are all equal, one join each is enough)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    names = _files(out)
    total = sum(pq.ParquetFile(out.path("bands", n), filesystem=out.fs).metadata.num_rows for n in names)
    parts = max(1, -(-total // KEY_ROWS_PER_PARTITION))
    for p in range(parts):
        if out.exists("dedup", "candidates", f"part-{p:04d}.parquet"):
            continue
        keys, seqs = [], []
        for name in names:
            t = out.read_table("bands", name)
            if parts > 1:
                t = t.filter(pc.equal(pc.remainder(t["key"], parts), p))
            keys.append(t["key"].to_numpy())
            seqs.append(t["seq"].to_numpy())
        a, b = _bucket_pairs(
            np.concatenate(keys or [[]]).astype(np.int64), np.concatenate(seqs or [[]]).astype(np.int64)
        )
        _write_pairs(out, a, b, "dedup", "candidates", f"part-{p:04d}.parquet")


def _bucket_pairs(keys: np.ndarray, seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((seqs, keys))
    keys, seqs = keys[order], seqs[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], keys.size]
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
        members = seqs[s:e]
        if int(keys[s]) >> BAND_KEY_BITS == EXACT_BAND:
            a.append(np.repeat(members[0], e - s - 1))
            b.append(members[1:])
        else:
            i, j = np.triu_indices(e - s, k=1)
            a.append(members[i])
            b.append(members[j])
    if not a:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(a), np.concatenate(b)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _write_pairs(out: Output, a: np.ndarray, b: np.ndarray, *parts: str, sim: np.ndarray | None = None) -> None:
    import pyarrow as pa

    cols = {"a": pa.array(a, pa.int64()), "b": pa.array(b, pa.int64())}
    if sim is not None:
        cols["similarity"] = pa.array(sim, pa.float64())
    out.write_table(pa.table(cols), *parts)


def _edges(out: Output) -> None:
    """The candidate pairs that are duplicates, by ``dedup.duplicate_similarity`` (the store's decision)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    cands = pq.read_table(out.path("dedup", "candidates"), filesystem=out.fs)
    cands = pa.table({"a": cands["a"], "b": cands["b"]})
    wanted = pa.array(np.unique(np.r_[cands["a"].to_numpy(), cands["b"].to_numpy()]), pa.int64())
    prints: dict[int, dedup.Fingerprint] = {}
    for name in _files(out):
        t = out.read_table("docs", name, columns=["seq", "content_hash", "signature"])
        t = t.filter(pc.is_in(t["seq"], value_set=wanted))
        for seq, digest, blob in zip(*(t[c].to_pylist() for c in ("seq", "content_hash", "signature"))):
            prints[seq] = dedup.Fingerprint.stored(digest, blob or b"")
    a, b, sims = [], [], []
    for x, y in zip(cands["a"].to_pylist(), cands["b"].to_pylist()):
        s = dedup.duplicate_similarity(prints[x], prints[y])
        if s is not None:
            a.append(x)
            b.append(y)
            sims.append(s)
    _write_pairs(out, np.array(a, np.int64), np.array(b, np.int64), "dedup", "edges.parquet", sim=np.array(sims))


def _groups(out: Output) -> None:
    """Union-find over the edges: each member's group is its smallest ``seq``."""
    import pyarrow as pa

    edges = out.read_table("dedup", "edges.parquet")
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent.get(x, x)
        return root

    for x, y in zip(edges["a"].to_pylist(), edges["b"].to_pylist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    members = sorted(parent.keys() | set(parent.values()))
    groups = [find(m) for m in members]
    out.write_table(pa.table({"seq": pa.array(members, pa.int64()), "group": pa.array(groups, pa.int64())}),
                    "dedup", "groups.parquet")  # fmt: skip


def _links(out: Output) -> None:
    """Each group's canonical document by the store's rule, and every other member's link to it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    groups = out.read_table("dedup", "groups.parquet")
    group_of = dict(zip(groups["seq"].to_pylist(), groups["group"].to_pylist()))
    wanted = groups["seq"]
    rank: dict[int, tuple] = {}
    for name in _files(out):
        t = out.read_table("docs", name, columns=["seq", "n_chars", "published"])
        t = t.filter(pc.is_in(t["seq"], value_set=wanted))
        for seq, n, published in zip(*(t[c].to_pylist() for c in ("seq", "n_chars", "published"))):
            # ORDER BY n_chars DESC, published IS NULL, published, id
            rank[seq] = (-n, published is None, published or "", seq)
    best: dict[int, int] = {}
    for seq, group in group_of.items():
        if group not in best or rank[seq] < rank[best[group]]:
            best[group] = seq
    edges = out.read_table("dedup", "edges.parquet")
    sim: dict[tuple[int, int], float] = {}
    top: dict[int, float] = {}
    for x, y, s in zip(edges["a"].to_pylist(), edges["b"].to_pylist(), edges["similarity"].to_pylist()):
        sim[(x, y)] = sim[(y, x)] = s
        top[x], top[y] = max(top.get(x, 0.0), s), max(top.get(y, 0.0), s)
    seqs, canon, sims = [], [], []
    for seq in sorted(group_of):
        c = best[group_of[seq]]
        if c != seq:
            seqs.append(seq)
            canon.append(c)
            sims.append(round(sim.get((seq, c), top[seq]), 4))
    table = pa.table({"seq": pa.array(seqs, pa.int64()), "duplicate_of": pa.array(canon, pa.int64()),
                      "similarity": pa.array(sims, pa.float64())})  # fmt: skip
    out.write_table(table, "dedup", "links.parquet")
