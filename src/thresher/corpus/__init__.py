"""The corpus: sources -> process (the pure per-batch step) -> dedup -> store -> executors -> export, run by ``ingest``."""
