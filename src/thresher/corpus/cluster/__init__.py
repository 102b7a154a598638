"""The corpus pipeline on a cluster: the same steps on Ray Data, output as Parquet files.

    inputs --plan (driver: paths, sizes)--> shards --map_batches(ShardMap): read, batches, process.Step-->
        docs/<shard>.parquet + bands/<shard>.parquet   (one pair per shard, written whole or not at all)
    --dedup stages (files in, files out)--> candidates -> edges -> groups -> links
    --thresher import--> the SQLite store (Store.write_batch: rows, FTS, bands, duplicate links)

``shards`` plans the run and reads and writes its files (pyarrow only, no Ray);
``ray_run`` is the one module that imports Ray; ``stages`` is the
deduplication over the written signatures; ``load`` brings an output into a
store. A shard is the unit of work, of retry (a worker that dies has its shard
run again by Ray) and of resumption (a shard whose files exist is not run
again), so the same command rerun after a kill ends with the same output.
"""
