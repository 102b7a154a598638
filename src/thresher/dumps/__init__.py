"""Text dumps: lines (split, features) -> cleaner (classify, assemble, metadata), run by ``TextCleaner``."""
