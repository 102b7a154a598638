"""Exceptions raised by thresher.

    ThresherError
     ├── ExtractionError      the input cannot be turned into an Article (too large, not text)
     └── ModelError           a model file is missing, malformed, or made for other features

A page that parses but holds no article is *not* an error: it gives an empty
``Article`` whose ``removed`` list says what was dropped and why.
"""

__all__ = ["ThresherError", "ExtractionError", "ModelError"]


class ThresherError(Exception):
    """Base class of every error thresher raises on purpose."""


class ExtractionError(ThresherError):
    """The input cannot be processed (for example it exceeds ``Config.max_input_bytes``)."""


class ModelError(ThresherError, ValueError):
    """A model file is missing, malformed, or was trained for other features."""
