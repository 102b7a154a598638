"""HTML extraction: parse -> hints -> segment -> features -> assemble -> metadata, run by ``Extractor``."""
