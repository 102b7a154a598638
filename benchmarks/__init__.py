"""Benchmark scripts for thresher (not part of the installed package).

``benchmarks.corpus`` loads the gold pages and holds the metrics;
``benchmarks.tools`` wraps the extractors measured side by side;
``benchmarks.run`` and ``benchmarks.memory`` are the command-line entry points.
"""
