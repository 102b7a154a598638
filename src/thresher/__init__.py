"""thresher: turn scraped news and web pages into a clean article corpus."""

from ._api import clean_text, clean_texts, extract, ingest
from .config import Config
from .dumps.cleaner import TextCleaner
from .errors import ExtractionError, ModelError, ThresherError
from .html.extractor import Extractor
from .types import Article, Block, Kind, Removed

__all__ = [
    "extract",
    "clean_text",
    "clean_texts",
    "ingest",
    "Extractor",
    "TextCleaner",
    "Config",
    "Article",
    "Block",
    "Kind",
    "Removed",
    "ExtractionError",
    "ModelError",
    "ThresherError",
]
__version__ = "0.1.0"

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__"):
        try:
            _obj.__module__ = "thresher"
        except (AttributeError, TypeError):
            pass
